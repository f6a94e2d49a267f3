/**
 * Where produce()'s per-stream heap goes: holds N streams made by produce() and N bare
 * ReadableStream Responses (each read the way adapter-node's setResponse reads it), takes a
 * heap snapshot of each, and lists what the first holds per stream that the second does not,
 * by V8 node type and constructor or closure name.
 *
 * The difference is produce()'s own per-stream heap: the part of figure 4's "above the bare
 * Response" row that the library controls (the figure itself is measured through SvelteKit, whose
 * Request and Response add a little of their own). Needs --expose-gc. bench/run.js runs it on
 * every run; alone: `node --expose-gc bench/memory-attribution.js` (`--json` for the raw rows).
 * SVELTE_SSE_SERVER=/path/to/server.js attributes another build of produce().
 */
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { writeHeapSnapshot } from 'node:v8'

const { produce } = await import(process.env.SVELTE_SSE_SERVER ?? '../dist/server.js')

const HEADERS = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-cache, no-transform',
	'x-accel-buffering': 'no'
}
const OPENER = new TextEncoder().encode(':\n\n')

function bareResponse() {
	let timer
	const body = new ReadableStream(
		{
			start(controller) {
				controller.enqueue(OPENER)
				timer = setInterval(() => controller.enqueue(OPENER), 15_000)
				timer.unref()
			},
			cancel() {
				clearInterval(timer)
			}
		},
		{ highWaterMark: 0 }
	)
	return new Response(body, { headers: HEADERS })
}

/** What setResponse keeps per response: its headers read once, a reader with a read pending. */
function hold(response) {
	for (const _ of response.headers);
	const reader = response.body.getReader()
	const next = async () => {
		for (;;) if ((await reader.read()).done) return
	}
	void next()
	return reader
}

/** Aggregated self sizes of the heap, by node type and name. */
async function snapshot(make, count) {
	const held = []
	for (let i = 0; i < count; i++) held.push(hold(make()))
	await new Promise((resolve) => setTimeout(resolve, 20))
	for (let i = 0; i < 3; i++) globalThis.gc()
	const file = writeHeapSnapshot(join(tmpdir(), `svelte-sse-attribution-${process.pid}-${Date.now()}.heapsnapshot`))
	const heap = JSON.parse(readFileSync(file, 'utf8'))
	rmSync(file)
	const fields = heap.snapshot.meta.node_fields
	const types = heap.snapshot.meta.node_types[0]
	const width = fields.length
	const typeAt = fields.indexOf('type')
	const nameAt = fields.indexOf('name')
	const sizeAt = fields.indexOf('self_size')
	const totals = new Map()
	for (let i = 0; i < heap.nodes.length; i += width) {
		const type = types[heap.nodes[i + typeAt]]
		const name = heap.strings[heap.nodes[i + nameAt]]
		const key = ['closure', 'object', 'hidden', 'array'].includes(type) ? `${type} ${name || '(anonymous)'}` : type
		const entry = totals.get(key) ?? { count: 0, size: 0 }
		entry.count++
		entry.size += heap.nodes[i + sizeAt]
		totals.set(key, entry)
	}
	// cancelling ends each stream (and its keep-alive timer), so none outlives its snapshot
	await Promise.all(held.map((reader) => reader.cancel()))
	held.length = 0
	await new Promise((resolve) => setTimeout(resolve, 20))
	for (let i = 0; i < 3; i++) globalThis.gc()
	return totals
}

/** @param {{ streams?: number }} [options] */
export async function runMemoryAttribution({ streams = 2000 } = {}) {
	if (typeof globalThis.gc !== 'function') throw new Error('Run with --expose-gc.')
	const bare = await snapshot(bareResponse, streams)
	const ours = await snapshot(() => produce(() => {}), streams)
	const keys = new Set([...bare.keys(), ...ours.keys()])
	const rows = []
	let total = 0
	for (const key of keys) {
		const a = ours.get(key) ?? { count: 0, size: 0 }
		const b = bare.get(key) ?? { count: 0, size: 0 }
		const bytes = (a.size - b.size) / streams
		const count = (a.count - b.count) / streams
		total += bytes
		if (Math.abs(bytes) >= 16) rows.push({ key, count, bytes })
	}
	rows.sort((x, y) => y.bytes - x.bytes)
	return { streams, totalBytes: total, rows }
}

export function formatMemoryAttribution(result) {
	const lines = ['| heap node (type, name) | extra objects / stream | extra bytes / stream |', '|---|---:|---:|']
	for (const row of result.rows) lines.push(`| ${row.key} | ${row.count.toFixed(2)} | ${row.bytes.toFixed(0)} |`)
	lines.push(`| **total** (all nodes) | | **${result.totalBytes.toFixed(0)}** |`)
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const result = await runMemoryAttribution()
	if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(result))
	else console.log(formatMemoryAttribution(result))
}

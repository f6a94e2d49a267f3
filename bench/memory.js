/**
 * Figure 4, memory per idle connection: the server runs in a child process (so the client's
 * sockets do not count), this process opens the connections and holds them idle.
 *
 * Run alone: `npx svelte-package && node bench/memory.js`.
 */
import { execSync } from 'node:child_process'
import { get } from 'node:http'
import { pathToFileURL } from 'node:url'
import { startServer } from './lib/child.js'
import { formatInt, median } from './lib/stats.js'

export const MODES = [
	{ key: 'ours', label: 'svelte-sse produce() + setResponse' },
	{ key: 'raw', label: 'raw node:http SSE handler' },
	{ key: 'response-floor', label: 'bare ReadableStream in a Response + setResponse (floor, context)' },
	{ key: 'ours+request', label: "svelte-sse + adapter-node's Request (context)" }
]

/** Opens one stream and resolves once its first bytes arrived; the response stays open. */
function open(port) {
	return new Promise((resolve, reject) => {
		const request = get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
			response.once('data', () => resolve({ request, response }))
			response.on('error', () => {})
		})
		request.on('error', reject)
	})
}

async function measureOnce(mode, connections) {
	const server = await startServer('../servers/idle-server.js', { args: [mode], execArgv: ['--expose-gc'] })
	const held = []
	try {
		// warm-up: load and compile every code path once, then let it go
		const warm = await Promise.all(Array.from({ length: 20 }, () => open(server.port)))
		for (const { request } of warm) request.destroy()
		await new Promise((resolve) => setTimeout(resolve, 200))
		server.send({ type: 'measure' })
		const before = await server.next('memory')
		for (let opened = 0; opened < connections; ) {
			const batch = Math.min(50, connections - opened)
			held.push(...(await Promise.all(Array.from({ length: batch }, () => open(server.port)))))
			opened += batch
		}
		await new Promise((resolve) => setTimeout(resolve, 200))
		server.send({ type: 'measure' })
		const after = await server.next('memory')
		if (after.connections < connections) throw new Error(`${mode}: the server holds ${after.connections} connections, expected ${connections}.`)
		return {
			rss: (after.memory.rss - before.memory.rss) / connections,
			heapUsed: (after.memory.heapUsed - before.memory.heapUsed) / connections,
			external: (after.memory.external - before.memory.external) / connections,
			heapCommitted: (after.memory.heapCommitted - before.memory.heapCommitted) / connections
		}
	} finally {
		for (const { request } of held) request.destroy()
		await server.stop()
	}
}

/**
 * @param {{ connections?: number, rounds?: number, log?: (line: string) => void }} [options]
 */
export async function runMemoryBench({ connections = 1000, rounds = 3, log = () => {} } = {}) {
	const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim())
	// this process holds `connections` sockets; the child as many again, in its own table
	if (Number.isFinite(limit) && limit < connections + 200) {
		throw new Error(`ulimit -n is ${limit}; ${connections} connections need at least ${connections + 200}. Raise it (ulimit -n 4096) and run again.`)
	}
	const samples = Object.fromEntries(MODES.map((m) => [m.key, []]))
	for (let round = 0; round < rounds; round++) {
		const order = round % 2 ? [...MODES].reverse() : MODES
		for (const { key } of order) samples[key].push(await measureOnce(key, connections))
		log(`  memory round ${round + 1}/${rounds}`)
	}
	const rows = MODES.map(({ key, label }) => ({
		key,
		label,
		rss: median(samples[key].map((s) => s.rss)),
		heapUsed: median(samples[key].map((s) => s.heapUsed)),
		external: median(samples[key].map((s) => s.external)),
		heapCommitted: median(samples[key].map((s) => s.heapCommitted))
	}))
	const by = Object.fromEntries(rows.map((row) => [row.key, row]))
	return {
		connections,
		rounds,
		rows,
		ratios: { rss: by.ours.rss / by.raw.rss, heapUsed: by.ours.heapUsed / by.raw.heapUsed },
		method:
			`${formatInt(connections)} idle SSE connections to a server in a child process started with --expose-gc (a fresh child per measurement); ` +
			'this process is the client (node:http, agent off; it opens connections 50 at a time and waits for the first bytes of each). ' +
			'Every handler sends the same headers and first bytes (`:\\n\\n`) and keeps a 15 s keep-alive timer (svelte-sse: its default `ping`; ' +
			'raw: a setInterval); svelte-sse is `produce(() => {})` with default options written by adapter-node\'s setResponse. ' +
			'The child warms up on 20 connections, collects garbage (gc() four times, yielding between) and records RSS and heapUsed; after the ' +
			`connections are open it does so again. Figures = (after − before) / connections, median of ${rounds} children per handler ` +
			'(order alternating). The "+ Request" row adds the Request that adapter-node builds for every request (getRequest) as ' +
			"`options.request`: that is SvelteKit's cost, not svelte-sse's, shown for context."
	}
}

export function formatMemory(result) {
	const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`
	const lines = ['| handler | RSS / connection | heapUsed / connection | V8 heap committed / connection |', '|---|---:|---:|---:|']
	for (const row of result.rows) lines.push(`| ${row.label} | ${kib(row.rss)} | ${kib(row.heapUsed)} | ${kib(row.heapCommitted)} |`)
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const result = await runMemoryBench({ log: console.log })
	console.log(formatMemory(result))
	console.log(result.ratios)
}

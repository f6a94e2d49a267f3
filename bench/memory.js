/**
 * Figure 4, memory per idle connection: the server runs in a child process (so the client's
 * sockets do not count): the benchmarks' SvelteKit app (bench/app) behind its adapter-node
 * handler for svelte-sse, the bare Response floor and the peers, and a raw node:http handler
 * for context. This process opens the connections and holds them idle.
 *
 * Run alone: `npx svelte-package && node bench/memory.js` (`--quick` for a smoke test).
 */
import { execSync } from 'node:child_process'
import { get } from 'node:http'
import { pathToFileURL } from 'node:url'
import { ensureApp } from './lib/app.js'
import { startServer } from './lib/child.js'
import { formatInt, ratioSpread, spread } from './lib/stats.js'

export const MODES = [
	{ key: 'ours', label: 'svelte-sse produce(() => {}), defaults' },
	{ key: 'response-floor', label: 'bare ReadableStream in a Response (SvelteKit floor)' },
	{ key: 'better-sse', label: 'better-sse createResponse (Fetch API), defaults' },
	{ key: 'sveltekit-sse', label: 'sveltekit-sse produce(), defaults' },
	{ key: 'raw', label: 'raw node:http SSE handler, no SvelteKit (context)' }
]
/** The peers whose distance from the SvelteKit floor is printed beside svelte-sse's. */
const ABOVE_FLOOR = ['ours', 'better-sse', 'sveltekit-sse']
/** Goal of issue 15: produce()'s own heap per idle connection at most 1 KB above the bare Response. */
export const HEAP_TARGET_BYTES = 1000

/** Opens one stream and resolves once its first bytes arrived; the response stays open. */
function open(port) {
	return new Promise((resolve, reject) => {
		const request = get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
			if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`))
			response.once('data', () => resolve({ request, response }))
			response.on('error', () => {})
		})
		request.on('error', reject)
	})
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200))

/** One fresh child: memory before, at each size in `sizes` (opened in turn, held all along). */
async function measureOnce(mode, sizes, handler) {
	const server = await startServer('../servers/idle-server.js', { args: [mode, handler], execArgv: ['--expose-gc'] })
	const held = []
	const measure = async () => {
		server.send({ type: 'measure' })
		return server.next('memory')
	}
	try {
		// warm-up: load and compile every code path once, then let it go
		const warm = await Promise.all(Array.from({ length: 20 }, () => open(server.port)))
		for (const { request } of warm) request.destroy()
		await settle()
		const before = (await measure()).memory
		const out = {}
		for (const size of sizes) {
			while (held.length < size) {
				const batch = Math.min(250, size - held.length)
				held.push(...(await Promise.all(Array.from({ length: batch }, () => open(server.port)))))
			}
			await settle()
			const { memory, connections } = await measure()
			if (connections < size) throw new Error(`${mode}: the server holds ${connections} connections, expected ${size}.`)
			out[size] = {
				rss: (memory.rss - before.rss) / size,
				heapUsed: (memory.heapUsed - before.heapUsed) / size,
				external: (memory.external - before.external) / size,
				heapCommitted: (memory.heapCommitted - before.heapCommitted) / size
			}
		}
		return out
	} finally {
		for (const { request } of held) request.destroy()
		await server.stop()
	}
}

/**
 * @param {{ sizes?: number[], rounds?: number, log?: (line: string) => void }} [options]
 */
export async function runMemoryBench({ sizes = [1000, 5000], rounds = 3, log = () => {} } = {}) {
	const most = Math.max(...sizes)
	const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim())
	// this process holds `most` sockets; the child as many again, in its own table
	if (Number.isFinite(limit) && limit < most + 200) {
		throw new Error(`ulimit -n is ${limit}; ${most} connections need at least ${most + 200}. Raise it (ulimit -n 8192) and run again.`)
	}
	const handler = ensureApp({ log })
	/** samples[mode][round] = { [size]: per-connection figures } */
	const samples = Object.fromEntries(MODES.map((m) => [m.key, []]))
	for (let round = 0; round < rounds; round++) {
		// rotate the order so that drift falls on every handler alike
		const order = MODES.map((_, i) => MODES[(i + round) % MODES.length])
		for (const { key } of order) samples[key].push(await measureOnce(key, sizes, handler))
		log(`  memory round ${round + 1}/${rounds}`)
	}
	const rows = sizes.flatMap((size) =>
		MODES.map(({ key, label }) => {
			const at = samples[key].map((s) => s[size])
			return {
				key,
				label,
				size,
				rss: spread(at.map((s) => s.rss)),
				heapUsed: spread(at.map((s) => s.heapUsed)),
				heapCommitted: spread(at.map((s) => s.heapCommitted))
			}
		})
	)
	// heap per connection above the floor: median of each minus the floor's median, [min–max of the same-round differences]
	const aboveFloor = sizes.flatMap((size) =>
		ABOVE_FLOOR.map((key) => {
			const row = rows.find((r) => r.key === key && r.size === size)
			const floor = rows.find((r) => r.key === 'response-floor' && r.size === size)
			const difference = (metric) =>
				ratioSpread(row[metric].value - floor[metric].value, samples[key].map((s, round) => s[size][metric] - samples['response-floor'][round][size][metric]))
			return { key, label: row.label, size, heapUsed: difference('heapUsed'), rss: difference('rss') }
		})
	)
	return {
		sizes,
		rounds,
		rows,
		aboveFloor,
		method:
			`${sizes.map(formatInt).join(' and ')} idle SSE connections to a server in a child process started with --expose-gc (a fresh child per handler and round; ` +
			`each child is measured at ${sizes.map(formatInt).join(', then at ')} connections, the first ones held all along). This process is the client ` +
			'(node:http, agent off; it opens connections 250 at a time and waits for the first bytes of each). svelte-sse, the bare Response and the peers are ' +
			'+server.ts routes of a SvelteKit app built with adapter-node (bench/app), served by its build/handler.js on node:http: getRequest → server.respond → ' +
			"the route → setResponse, the path of a deployed app. svelte-sse is `produce(() => {})` with default options (an opening `:` comment, 15 s ping); " +
			'the bare Response is a ReadableStream (high-water mark 0) that enqueues the same first bytes and keeps the same 15 s timer, with the same headers: ' +
			'what any +server.ts that streams pays, with no library. better-sse is its Fetch API, `createResponse(request, () => {})`, with its defaults ' +
			'(opens with `retry:2000`, 10 s keep-alive); sveltekit-sse is `produce(({ emit }) => { emit(\'open\', \'\') })` with its defaults (30 s ping; it sends ' +
			'nothing until the first event, so one event opens the stream). The raw row is a node:http handler with the same headers, first bytes and timer, ' +
			'without SvelteKit (context). The child warms up on 20 connections, collects garbage (gc() four times, yielding between) and records heapUsed and RSS; ' +
			`after each size's connections are open it does so again. Figures = (after − before) / connections; median [min–max] of ${rounds} children per handler ` +
			'(order rotating between rounds). "Above the floor" = a handler\'s median minus the bare Response\'s median, [min–max of the same-round differences]; ' +
			`the goal of issue 15 is svelte-sse's heap at most ${formatInt(HEAP_TARGET_BYTES)} bytes (1 KB) above the floor.`
	}
}

const kib = (bytes) => `${(bytes / 1024).toFixed(2)}`
const kibSpread = (s) => `${kib(s.value)} [${kib(s.min)}–${kib(s.max)}]`
const bytesSpread = (s) => `${formatInt(s.value)} [${formatInt(s.min)}–${formatInt(s.max)}]`

export function formatMemory(result) {
	const lines = [
		'| handler | connections | heapUsed KiB / connection [min–max] | RSS KiB / connection [min–max] | V8 heap committed KiB / connection |',
		'|---|---:|---:|---:|---:|'
	]
	for (const row of result.rows) lines.push(`| ${row.label} | ${formatInt(row.size)} | ${kibSpread(row.heapUsed)} | ${kibSpread(row.rss)} | ${kib(row.heapCommitted.value)} |`)
	lines.push(
		'',
		'| above the bare Response in SvelteKit | connections | heap bytes / connection [min–max] | RSS bytes / connection [min–max] | goal (heap) |',
		'|---|---:|---:|---:|---|'
	)
	for (const row of result.aboveFloor) {
		const h = row.heapUsed
		const goal =
			row.key !== 'ours'
				? 'context'
				: h.min <= HEAP_TARGET_BYTES && h.max > HEAP_TARGET_BYTES
					? `${h.value <= HEAP_TARGET_BYTES ? 'met' : 'MISSED'} (spread crosses ≤ ${formatInt(HEAP_TARGET_BYTES)} B)`
					: h.value <= HEAP_TARGET_BYTES
						? `met (≤ ${formatInt(HEAP_TARGET_BYTES)} B)`
						: `MISSED (≤ ${formatInt(HEAP_TARGET_BYTES)} B)`
		lines.push(`| ${row.label} | ${formatInt(row.size)} | ${bytesSpread(h)} | ${bytesSpread(row.rss)} | ${goal} |`)
	}
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const quick = process.argv.includes('--quick')
	const result = await runMemoryBench({ log: console.log, ...(quick ? { sizes: [1000], rounds: 1 } : {}) })
	console.log(formatMemory(result))
}

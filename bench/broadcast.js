/**
 * Figure 6, broadcast: one event to every open stream, at 1 000 and 5 000 connections. Each
 * producer runs in a fresh server child (bench/servers/broadcast-server.js); one client child
 * (bench/servers/broadcast-client.js) holds the connections and timestamps every event as it
 * reads it; this process only directs them, so server and client each have a core.
 *
 * Run alone: `npx svelte-package && node bench/broadcast.js`. Flags: `--quick` (one run, fewer
 * broadcasts), `--emitters` (adds the one-emit-per-produce()-stream loop), `--only=raw,channel`,
 * `--sizes=5000`, `--runs=5`, `--interval=100`. `BENCH_BROADCAST_PROFILE=dir` writes a CPU
 * profile of each server's measured broadcasts; `BENCH_BROADCAST_VERBOSE=1` logs how long each
 * phase of each measurement took.
 */
import { execSync, fork } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer } from './lib/child.js'
import { EVENT_NAME, PAYLOAD_BYTES } from './lib/broadcast.js'
import { formatInt, median } from './lib/stats.js'

const here = dirname(fileURLToPath(import.meta.url))

/** Every producer; `emitters` (the way before channels) runs only when asked for (`--emitters`), to keep the full run near three minutes. */
export const PRODUCERS = [
	{ key: 'raw', label: 'raw node:http loop (floor)' },
	{ key: 'channel', label: 'svelte-sse channel().publish' },
	{ key: 'better-sse', label: 'better-sse Channel.broadcast, on node:http directly' },
	{ key: 'better-sse-response', label: 'better-sse Channel.broadcast, Fetch API (createResponse) behind the same adapter' },
	{ key: 'response-floor', label: 'bare Response stream + setResponse, enqueue loop (floor of any Response, context)' },
	{ key: 'emitters', label: 'svelte-sse: one produce() emit per stream (context)' }
]

/** The client child: same IPC shape as startServer's, without a port. */
async function startClient() {
	const child = fork(resolve(here, 'servers/broadcast-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
	const next = (type) =>
		new Promise((resolve, reject) => {
			const onMessage = (message) => {
				if (message.type !== type) return
				child.off('message', onMessage)
				child.off('exit', onExit)
				resolve(message)
			}
			const onExit = (code) => reject(new Error(`the broadcast client exited (${code}) while we waited for '${type}'.`))
			child.on('message', onMessage)
			child.once('exit', onExit)
		})
	await next('ready')
	return {
		async ask(message, type) {
			const answer = next(type)
			child.send(message)
			return answer
		},
		async stop() {
			if (child.exitCode !== null) return
			const exited = once(child, 'exit')
			child.disconnect()
			await exited
		}
	}
}

async function measureOnce(client, producer, connections, { warmup, count, interval, batch }) {
	const marks = [performance.now()]
	const server = await startServer('../servers/broadcast-server.js', { args: [producer, String(connections)] })
	marks.push(performance.now())
	try {
		await client.ask({ type: 'connect', port: server.port, n: connections, broadcasts: warmup + count, batch }, 'connected')
		marks.push(performance.now())
		// a stream may be open before it is in the audience (the channel joins it after a round trip to its backend)
		const deadline = Date.now() + 10_000
		for (;;) {
			server.send({ type: 'count' })
			const { n } = await server.next('count')
			if (n >= connections) break
			if (Date.now() > deadline) throw new Error(`${producer}: ${n} of ${connections} streams joined the audience.`)
			await sleep(20)
		}
		marks.push(performance.now())
		server.send({ type: 'run', warmup, count, interval })
		const ran = await server.next('ran')
		marks.push(performance.now())
		const seen = await client.ask({ type: 'report', from: warmup, count }, 'report')
		marks.push(performance.now())
		if (seen.missing > 0) throw new Error(`${producer}: ${seen.missing} of ${count * connections} events never arrived.`)
		return {
			p50: seen.p50 / 1000,
			p99: seen.p99 / 1000,
			lastArrival: seen.lastArrivalMedian / 1000,
			cpuPerRecipient: ran.cpu / (count * connections),
			sendMs: median(ran.sendMs),
			eventBytes: seen.eventBytes
		}
	} finally {
		await client.ask({ type: 'close' }, 'closed')
		marks.push(performance.now())
		await server.stop()
		marks.push(performance.now())
		if (process.env.BENCH_BROADCAST_VERBOSE) console.error(`    ${producer} @ ${connections}: start, connect, join, run, report, close, stop = ${marks.slice(1).map((m, i) => ((m - marks[i]) / 1000).toFixed(2)).join(', ')} s`)
	}
}

const spread = (values) => ({ min: Math.min(...values), median: median(values), max: Math.max(...values) })

/**
 * @param {{ sizes?: number[], producers?: typeof PRODUCERS, runs?: number, warmup?: number, count?: number, interval?: number, log?: (line: string) => void }} [options]
 */
export async function runBroadcastBench({ sizes = [1000, 5000], producers = PRODUCERS.filter((p) => p.key !== 'emitters'), runs = 3, warmup = 5, count = 20, interval = 50, log = () => {} } = {}) {
	const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim())
	const most = Math.max(...sizes)
	// each child holds `most` sockets in its own table
	if (Number.isFinite(limit) && limit < most + 200) {
		throw new Error(`ulimit -n is ${limit}; ${most} connections need at least ${most + 200} per process. Raise it (ulimit -n ${most * 2}) and run again.`)
	}
	const started = performance.now()
	const batch = 1000
	const samples = {}
	for (const size of sizes) for (const { key } of producers) samples[`${size}/${key}`] = []
	const client = await startClient()
	try {
		for (let run = 0; run < runs; run++) {
			for (const size of sizes) {
				// rotate the order so that drift (GC, the machine's other load) falls on every producer alike
				const order = producers.map((_, i) => producers[(i + run) % producers.length])
				for (const { key } of order) samples[`${size}/${key}`].push(await measureOnce(client, key, size, { warmup, count, interval, batch }))
			}
			log(`  broadcast run ${run + 1}/${runs}`)
		}
	} finally {
		await client.stop()
	}
	const rows = []
	for (const size of sizes) {
		for (const { key, label } of producers) {
			const runsOf = samples[`${size}/${key}`]
			rows.push({
				size,
				key,
				label,
				p50: spread(runsOf.map((s) => s.p50)),
				p99: spread(runsOf.map((s) => s.p99)),
				cpuPerRecipient: spread(runsOf.map((s) => s.cpuPerRecipient)),
				sendMs: spread(runsOf.map((s) => s.sendMs)),
				lastArrival: spread(runsOf.map((s) => s.lastArrival)),
				eventBytes: runsOf[0].eventBytes
			})
		}
	}
	// ratios: of the medians, with the spread of the per-run ratios (the producers of one run ran back to back)
	const ratio = (size, of, to, metric) => {
		const a = samples[`${size}/${of}`]
		const b = samples[`${size}/${to}`]
		const perRun = a.map((s, i) => s[metric] / b[i][metric])
		return { value: median(a.map((s) => s[metric])) / median(b.map((s) => s[metric])), min: Math.min(...perRun), max: Math.max(...perRun) }
	}
	const ratios = {}
	for (const size of sizes) {
		for (const [of, to] of [
			['channel', 'raw'],
			['channel', 'better-sse'],
			['channel', 'better-sse-response'],
			['better-sse', 'raw'],
			['response-floor', 'raw'],
			['channel', 'response-floor'],
			['emitters', 'raw']
		]) {
			if (!samples[`${size}/${of}`] || !samples[`${size}/${to}`]) continue
			for (const metric of ['p50', 'p99', 'cpuPerRecipient', 'sendMs']) ratios[`${size}/${of}/${to}/${metric}`] = ratio(size, of, to, metric)
		}
	}
	const seconds = (performance.now() - started) / 1000
	return {
		sizes,
		runs,
		warmup,
		count,
		interval,
		rows,
		ratios,
		seconds,
		method:
			`At each size, N connections from one client child process (plain TCP sockets, a hand-written GET, ${batch} connections at a time, each ` +
			'counted once its response headers arrived) to a fresh server child per producer and run (node:http on 127.0.0.1, listen backlog 8192); ' +
			'the server then waits until all N streams are in its audience. ' +
			`It broadcasts ${warmup} warm-up events and ${count} measured ones, ${interval} ms apart (the gap starts once the event loop is free again). ` +
			`Every producer sends the same event: \`id:\` (the memory backend's \`<8 characters>-<n>\`; the others get an id of the same length), ` +
			`\`event: ${EVENT_NAME}\` and a ${PAYLOAD_BYTES}-byte JSON object stamped with the server's monotonic clock just before the broadcast call ` +
			'(the bytes per event column is the first event a client read, HTTP chunk framing excluded; better-sse writes `field:value` without the ' +
			'space after the colon, hence 3 bytes fewer). ' +
			'raw: one Buffer per broadcast written with res.write to every response. svelte-sse channel: ' +
			"`channel('bench', { backend: memory() }).produce(request, { ping: false })` behind adapter-node's getRequest/setResponse (@sveltejs/kit/node), " +
			"broadcast = `await room.publish('tick', data)`. better-sse: createSession (retry and keep-alive off) registered on createChannel(), " +
			"broadcast = `channel.broadcast(data, 'tick', { eventId })` (it serialises and formats per session, by design), on node:http directly (better-sse) and through its Fetch API, `createResponse(request, options, session => channel.register(session))`, behind the same adapter as the channel (better-sse-response). bare Response floor (context): per request a " +
			'ReadableStream (high-water mark 0) in a Response through the same adapter, broadcast = the event encoded once into a Buffer and enqueued to every controller: ' +
			'what any handler that returns a streaming Response pays, with no library code. emitters (context, only with --emitters): produce() per request through the ' +
			'same adapter, broadcast = a loop calling each stream\'s emit with the same object and id (the way before channels). ' +
			'Latency = client read time − publish stamp (CLOCK_MONOTONIC, shared by the processes), over every recipient of every measured broadcast: ' +
			'p50 and p99 per run; "last arrival" = median over broadcasts of the slowest recipient. The client is one process reading N sockets, so later ' +
			'recipients also wait for it to read the earlier ones: that cost is in every producer\'s figures alike. CPU / recipient = the server\'s ' +
			'process.cpuUsage() (user + system, which includes the kernel\'s loopback send) over the measured broadcasts ÷ (broadcasts × N). ' +
			'Send time = stamp → the server\'s event loop free again (every res.write issued), median per run. ' +
			`${runs} runs; each run measures every producer at each size, in rotating order; min / median / max over runs. Ratios = ratio of the ` +
			`medians, [min–max of the per-run ratios]. ${seconds.toFixed(0)} s in all.`
	}
}

const ms = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(1))
const triple = ({ min, median, max }, format) => `${format(median)} (${format(min)}–${format(max)})`
const us = (value) => value.toFixed(2)

export function formatBroadcast(result) {
	const lines = [
		'| N | producer | p50 ms | p99 ms | CPU µs / recipient | send ms | last arrival ms | bytes / event |',
		'|---:|---|---:|---:|---:|---:|---:|---:|'
	]
	for (const row of result.rows) {
		lines.push(
			`| ${formatInt(row.size)} | ${row.label} | ${triple(row.p50, ms)} | ${triple(row.p99, ms)} | ${triple(row.cpuPerRecipient, us)} | ${triple(row.sendMs, ms)} | ${triple(row.lastArrival, ms)} | ${row.eventBytes} |`
		)
	}
	lines.push('', 'Cells: median (min–max) over runs.', '')
	lines.push('| N | ratio | p50 | p99 | CPU / recipient | send time |', '|---:|---|---:|---:|---:|---:|')
	const cell = (r) => `${r.value.toFixed(2)}× [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`
	for (const size of result.sizes) {
		for (const [of, to, label] of [
			['channel', 'raw', 'svelte-sse channel / raw loop'],
			['channel', 'better-sse', 'svelte-sse channel / better-sse (node:http)'],
			['channel', 'better-sse-response', 'svelte-sse channel / better-sse (Fetch API, same adapter)'],
			['better-sse', 'raw', 'better-sse / raw loop'],
			['response-floor', 'raw', 'bare Response floor / raw loop'],
			['channel', 'response-floor', 'svelte-sse channel / bare Response floor'],
			['emitters', 'raw', 'produce() emit loop / raw loop']
		]) {
			if (!result.ratios[`${size}/${of}/${to}/p50`]) continue
			const r = (metric) => cell(result.ratios[`${size}/${of}/${to}/${metric}`])
			lines.push(`| ${formatInt(size)} | ${label} | ${r('p50')} | ${r('p99')} | ${r('cpuPerRecipient')} | ${r('sendMs')} |`)
		}
	}
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const quick = process.argv.includes('--quick')
	// --only=channel,raw and --sizes=5000: a subset, e.g. to profile one producer (BENCH_BROADCAST_PROFILE=dir)
	const flag = (name) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3)
	const only = flag('only')?.split(',') ?? (process.argv.includes('--emitters') ? PRODUCERS.map((p) => p.key) : undefined)
	const sizes = flag('sizes')?.split(',').map(Number)
	const result = await runBroadcastBench({
		...(quick ? { runs: 1, warmup: 5, count: 10 } : {}),
		...(only ? { producers: PRODUCERS.filter((p) => only.includes(p.key)) } : {}),
		...(sizes ? { sizes } : {}),
		...(flag('runs') ? { runs: Number(flag('runs')) } : {}),
		...(flag('interval') ? { interval: Number(flag('interval')) } : {}),
		log: console.log
	})
	if (only && flag('only')) console.table(result.rows.map(({ size, key, p50, p99, cpuPerRecipient, sendMs }) => ({ size, key, p50: p50.median, p99: p99.median, cpuPerRecipient: cpuPerRecipient.median, sendMs: sendMs.median })))
	else console.log(formatBroadcast(result))
	console.log(`\nMethod: ${result.method}`)
}

/**
 * Figure 1, emit throughput to one client: every producer sits in one server child process
 * (bench/servers/throughput-server.js): svelte-sse inside the benchmarks' SvelteKit app
 * (bench/app, adapter-node's handler) and through setResponse, the peers and the raw loops on
 * node:http, and pre-encoded bytes on a plain socket. This process is the client, reading each
 * stream through node:http and counting event terminators until the response ends; the server
 * reports its own CPU time per stream.
 *
 * Run alone: `npx svelte-package && node bench/throughput.js` (`--quick` for a smoke test,
 * `--only=ours,raw-batched` for some producers, BENCH_THROUGHPUT_PROFILE=dir for a CPU profile of the server).
 */
import { get } from 'node:http'
import { pathToFileURL } from 'node:url'
import { ensureApp } from './lib/app.js'
import { startServer } from './lib/child.js'
import { EVENT_BYTES } from './lib/events.js'
import { formatInt, formatMiB, median, ratioSpread, spread } from './lib/stats.js'

/** `floor`: a row the targets compare against; `context`: shown, no target. */
export const PRODUCERS = [
	{ key: 'ours', label: 'svelte-sse produce(), SvelteKit app (adapter-node handler)', route: '/emit/ours' },
	{ key: 'ours-setResponse', label: 'svelte-sse produce() + setResponse (context)', route: '/ours' },
	{ key: 'raw-batched', label: 'raw node:http, ≈64 KiB per res.write (floor)', route: '/raw-batched' },
	{ key: 'pre-encoded', label: 'pre-encoded bytes on a plain socket (physical limit)', route: '/pre-encoded', tcp: true },
	{ key: 'better-sse-batch', label: 'better-sse session.batch, ≈64 KiB per batch', route: '/better-sse-batch' },
	{ key: 'raw', label: 'raw node:http, one res.write per event (context)', route: '/raw' },
	{ key: 'better-sse', label: 'better-sse session.push per event (context)', route: '/better-sse' },
	{ key: 'sveltekit-sse', label: 'sveltekit-sse produce() + setResponse (context)', route: '/sveltekit-sse' }
]

const LF = 0x0a

/** Reads one stream to its end; counts blank lines (`\n\n`), i.e. dispatched events and comments. */
function readStream(port, path) {
	return new Promise((resolve, reject) => {
		const start = performance.now()
		let terminators = 0
		let bytes = 0
		let lastWasLf = false
		const request = get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
			response.on('data', (chunk) => {
				bytes += chunk.length
				let from = 0
				if (lastWasLf && chunk[0] === LF) {
					terminators++
					from = 1
				}
				for (let at = chunk.indexOf(LF, from); at !== -1; at = chunk.indexOf(LF, at + 1)) {
					if (chunk[at + 1] === LF) {
						terminators++
						at++
					}
				}
				lastWasLf = chunk[chunk.length - 1] === LF
			})
			response.on('end', () => resolve({ ms: performance.now() - start, terminators, bytes }))
			response.on('error', reject)
		})
		request.on('error', reject)
	})
}

/**
 * @param {{ events?: number, rounds?: number, only?: string[], log?: (line: string) => void }} [options]
 */
export async function runThroughputBench({ events = 200_000, rounds = 7, only, log = () => {} } = {}) {
	const producers = only ? PRODUCERS.filter((p) => only.includes(p.key)) : PRODUCERS
	const handler = ensureApp({ log })
	// BENCH_THROUGHPUT_PROFILE=dir: a CPU profile of the server child (all producers; read it for produce()'s share)
	const profile = process.env.BENCH_THROUGHPUT_PROFILE
	const server = await startServer('../servers/throughput-server.js', {
		args: [`--kit=${handler}`],
		execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []
	})
	const samples = Object.fromEntries(producers.map((p) => [p.key, { ms: [], cpu: [], peakRss: [], bytes: 0, writes: [] }]))
	try {
		const run = async (producer, n) => {
			const done = server.next('done')
			const result = await readStream(producer.tcp ? server.listening.tcpPort : server.port, `${producer.route}?n=${n}`)
			const { peakRss, cpuMicros, writes } = await done
			// every producer writes one opening blank line (comment or retry) at most
			if (result.terminators < n) {
				throw new Error(`${producer.label}: received ${result.terminators} events, expected ${n}.`)
			}
			return { ...result, peakRss, cpuMicros, writes }
		}
		// warm-up: JIT and lazy module state for every producer
		for (const producer of producers) await run(producer, Math.min(events, 50_000))
		if (producers.some((p) => p.tcp)) {
			server.send({ type: 'prepare', n: events })
			await server.next('prepared')
		}
		for (let round = 0; round < rounds; round++) {
			// rotate the order so that drift (GC, the other core's load) falls on every producer alike
			const order = producers.map((_, i) => producers[(i + round) % producers.length])
			for (const producer of order) {
				const result = await run(producer, events)
				const sample = samples[producer.key]
				sample.ms.push(result.ms)
				sample.cpu.push(result.cpuMicros / events)
				sample.peakRss.push(result.peakRss)
				sample.bytes = result.bytes
				if (result.writes) sample.writes.push(result.writes)
			}
			log(`  throughput round ${round + 1}/${rounds}`)
		}
	} finally {
		await server.stop()
	}
	const rows = producers.map((producer) => {
		const sample = samples[producer.key]
		const ms = median(sample.ms)
		return {
			key: producer.key,
			label: producer.label,
			eventsPerSecond: spread(sample.ms.map((t) => events / (t / 1000))),
			mbPerSecond: sample.bytes / 1e6 / (ms / 1000),
			medianMs: ms,
			cpuPerEvent: spread(sample.cpu),
			bytes: sample.bytes,
			peakRss: Math.max(...sample.peakRss),
			// res.write calls per stream and the largest chunk handed to node:http (none for the plain socket)
			writes: sample.writes.length ? { calls: median(sample.writes.map((w) => w.calls)), largest: Math.max(...sample.writes.map((w) => w.largest)) } : undefined
		}
	})
	const by = Object.fromEntries(rows.map((row) => [row.key, row]))
	/** ours / peer: events/s (or CPU per event), the ratio of the medians, [min–max] of the same-round ratios. */
	const ratio = (of, to) =>
		by[of] && by[to] ? ratioSpread(by[of].eventsPerSecond.value / by[to].eventsPerSecond.value, samples[of].ms.map((ms, i) => samples[to].ms[i] / ms)) : undefined
	const cpuRatio = (of, to) =>
		by[of] && by[to] ? ratioSpread(by[of].cpuPerEvent.value / by[to].cpuPerEvent.value, samples[of].cpu.map((cpu, i) => cpu / samples[to].cpu[i])) : undefined
	return {
		events,
		rounds,
		rows,
		ratios: {
			rawBatched: ratio('ours', 'raw-batched'),
			preEncoded: ratio('ours', 'pre-encoded'),
			betterSseBatch: ratio('ours', 'better-sse-batch'),
			raw: ratio('ours', 'raw'),
			betterSse: ratio('ours', 'better-sse'),
			sveltekitSse: ratio('ours', 'sveltekit-sse'),
			setResponse: ratio('ours', 'ours-setResponse'),
			cpuRawBatched: cpuRatio('ours', 'raw-batched'),
			cpuBetterSseBatch: cpuRatio('ours', 'better-sse-batch')
		},
		method:
			`${formatInt(events)} events of ${EVENT_BYTES} bytes (\`event: tick\` + 80 characters of data, no id) per stream, one stream at a time over loopback, ` +
			'after a `:` comment line. Same bytes for every producer but three: better-sse writes its fields without the space after the colon ' +
			'(98 bytes an event); its per-event push always writes an `id:` line (given a counter id here, instead of its default random UUID), ' +
			'and sveltekit-sse always writes a counter `id:` line (hence their byte counts). ' +
			'All servers run in one child process on 127.0.0.1; this process is the client (node:http, agent off, counting `\\n\\n` in every chunk), ' +
			'so client and server each have a core. svelte-sse is measured the way SvelteKit serves it: a +server.ts route of a SvelteKit app built ' +
			"with adapter-node (bench/app), served by its build/handler.js (getRequest → server.respond → the route → setResponse: one res.write per " +
			"chunk the stream gives, waiting for 'drain'); the setResponse row is the same producer handed to @sveltejs/kit/node's setResponse directly. " +
			'Pacing: svelte-sse stops on emit().error and awaits ready() every 100 events; the floor writes the same bytes joined into ≈64 KiB strings, ' +
			"one res.write each, waiting for 'drain' when write() returns false; the physical limit is a net server that reads the request head and " +
			'writes a ready-made HTTP response (head and the body in 64 KiB HTTP chunks, built before the timed rounds) in one socket.end(); ' +
			`better-sse's batch API fills an EventBuffer with ${formatInt(Math.floor(65_536 / 98))} events (≈64 KiB: event, data, dispatch) per session.batch ` +
			"and waits for 'drain' when node:http asks, as does its per-event session.push (serializer String, so the data are written as they are); " +
			"the per-event raw loop writes one res.write per event; sveltekit-sse (no backpressure API) yields to the event loop every 100 events and waits for 'drain' " +
			"when node:http's buffer is full. Time = request sent to response end. Server CPU / event = the server process's process.cpuUsage() " +
			'(user + system, so the kernel\'s loopback send counts) from the request\'s arrival to the response\'s close, ÷ events. ' +
			`One warm-up stream each, then ${rounds} rounds in rotating order; median [min–max] over rounds. Ratios: the ratio of the medians, ` +
			'[min–max of the per-round ratios]. res.write calls = per stream (median), largest chunk = the largest single write over all rounds. Peak RSS = the server process, sampled every 10 ms during the stream (max over rounds).'
	}
}

const fmtSpread = (s, digits = 0) =>
	digits ? `${s.value.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]` : `${formatInt(s.value)} [${formatInt(s.min)}–${formatInt(s.max)}]`

const formatBytes = (bytes) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(0)} KiB`)

export function formatThroughput(result) {
	const lines = [
		'| producer | events/s [min–max] | MB/s | median ms | server CPU µs / event [min–max] | bytes | res.write calls (largest chunk) | server peak RSS |',
		'|---|---:|---:|---:|---:|---:|---:|---:|'
	]
	for (const row of result.rows) {
		lines.push(
			`| ${row.label} | ${fmtSpread(row.eventsPerSecond)} | ${row.mbPerSecond.toFixed(1)} | ${row.medianMs.toFixed(0)} | ${fmtSpread(row.cpuPerEvent, 2)} | ${formatInt(row.bytes)} | ${row.writes ? `${formatInt(row.writes.calls)} (${formatBytes(row.writes.largest)})` : '—'} | ${formatMiB(row.peakRss)} |`
		)
	}
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const quick = process.argv.includes('--quick')
	const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',')
	const result = await runThroughputBench({ log: console.log, only, ...(quick ? { events: 50_000, rounds: 3 } : {}) })
	console.log(formatThroughput(result))
	for (const [name, r] of Object.entries(result.ratios)) if (r) console.log(`${name}: ${r.value.toFixed(2)}× [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`)
}

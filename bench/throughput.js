/**
 * Figure 1, emit throughput to one client: every producer sits behind node:http in one child
 * process (bench/servers/throughput-server.js); this process is the client, reading the raw
 * socket through node:http and counting event terminators until the response ends.
 *
 * Run alone: `npx svelte-package && node bench/throughput.js`.
 */
import { get } from 'node:http'
import { pathToFileURL } from 'node:url'
import { startServer } from './lib/child.js'
import { EVENT_BYTES } from './lib/events.js'
import { formatInt, formatMiB, median } from './lib/stats.js'

export const PRODUCERS = [
	{ key: 'ours', label: 'svelte-sse produce()', route: '/ours' },
	{ key: 'raw', label: 'raw node:http write loop', route: '/raw' },
	{ key: 'raw-batched', label: 'raw node:http, 64 KiB writes (context)', route: '/raw-batched' },
	{ key: 'sveltekit-sse', label: 'sveltekit-sse produce()', route: '/sveltekit-sse' },
	{ key: 'better-sse', label: 'better-sse session.push', route: '/better-sse' }
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
 * @param {{ events?: number, rounds?: number, log?: (line: string) => void }} [options]
 */
export async function runThroughputBench({ events = 200_000, rounds = 5, log = () => {} } = {}) {
	const server = await startServer('../servers/throughput-server.js')
	const samples = Object.fromEntries(PRODUCERS.map((p) => [p.key, { ms: [], peakRss: [], bytes: 0 }]))
	try {
		const run = async (producer, n) => {
			const done = server.next('done')
			const result = await readStream(server.port, `${producer.route}?n=${n}`)
			const { peakRss } = await done
			// every producer writes one opening blank line (comment or retry) at most
			if (result.terminators < n) {
				throw new Error(`${producer.label}: received ${result.terminators} events, expected ${n}.`)
			}
			return { ...result, peakRss }
		}
		// warm-up: JIT and lazy module state for every producer
		for (const producer of PRODUCERS) await run(producer, Math.min(events, 50_000))
		for (let round = 0; round < rounds; round++) {
			// rotate the order so that drift (GC, the other core's load) falls on every producer alike
			const order = PRODUCERS.map((_, i) => PRODUCERS[(i + round) % PRODUCERS.length])
			for (const producer of order) {
				const result = await run(producer, events)
				const sample = samples[producer.key]
				sample.ms.push(result.ms)
				sample.peakRss.push(result.peakRss)
				sample.bytes = result.bytes
			}
			log(`  throughput round ${round + 1}/${rounds}`)
		}
	} finally {
		await server.stop()
	}
	const rows = PRODUCERS.map((producer) => {
		const sample = samples[producer.key]
		const ms = median(sample.ms)
		return {
			key: producer.key,
			label: producer.label,
			eventsPerSecond: events / (ms / 1000),
			mbPerSecond: sample.bytes / 1e6 / (ms / 1000),
			medianMs: ms,
			bytes: sample.bytes,
			peakRss: Math.max(...sample.peakRss)
		}
	})
	const by = Object.fromEntries(rows.map((row) => [row.key, row]))
	return {
		events,
		rounds,
		rows,
		ratios: {
			raw: by.ours.eventsPerSecond / by.raw.eventsPerSecond,
			rawBatched: by.ours.eventsPerSecond / by['raw-batched'].eventsPerSecond,
			sveltekitSse: by.ours.eventsPerSecond / by['sveltekit-sse'].eventsPerSecond,
			betterSse: by.ours.eventsPerSecond / by['better-sse'].eventsPerSecond
		},
		method:
			`${formatInt(events)} events of ${EVENT_BYTES} bytes (\`event: tick\` + 80 characters of data; sveltekit-sse always adds a counter \`id:\` line and better-sse's push a random-UUID \`id:\` line by default, hence their larger byte counts) ` +
			`per stream, one stream at a time over loopback. All servers run in one child process (node:http on 127.0.0.1); this process is the client ` +
			'(node:http, agent off, counting `\\n\\n` in every chunk), so client and server each have a core. svelte-sse and sveltekit-sse Responses are written ' +
			"to node:http by @sveltejs/kit/node's setResponse (adapter-node's own code: one res.write per chunk, waiting for 'drain'). " +
			"Pacing: svelte-sse stops on emit().error and awaits ready() every 100 events; the raw loop (one res.write per event, the floor the targets use) waits " +
			"for 'drain' when res.write() returns false; the batched raw loop (context) writes the same bytes in ~64 KiB strings, as produce() hands them over; " +
			"sveltekit-sse (no backpressure API) yields to the event loop every 100 events and waits for 'drain' when node:http's buffer is full; " +
			"better-sse calls session.push (serializer String, so the bytes match) and waits for 'drain' when node:http asks. " +
			`Time = request sent to response end. One warm-up stream each, then ${rounds} rounds in rotating order; median per producer. ` +
			'Peak RSS = the server process, sampled every 10 ms during the stream (max over rounds).'
	}
}

export function formatThroughput(result) {
	const lines = ['| producer | events/s | MB/s | median ms | bytes | server peak RSS |', '|---|---:|---:|---:|---:|---:|']
	for (const row of result.rows) {
		lines.push(`| ${row.label} | ${formatInt(row.eventsPerSecond)} | ${row.mbPerSecond.toFixed(1)} | ${row.medianMs.toFixed(0)} | ${formatInt(row.bytes)} | ${formatMiB(row.peakRss)} |`)
	}
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const result = await runThroughputBench({ log: console.log })
	console.log(formatThroughput(result))
	console.log(result.ratios)
}

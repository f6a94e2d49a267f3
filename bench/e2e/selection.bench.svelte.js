/**
 * Figure 3, end to end: events from a real produce() server (a child process, node:http,
 * adapter-node's setResponse) into `Selection.current`, read by an `$effect` inside
 * `$effect.root`, with Svelte's browser runtime. Compiled and run by vitest
 * (bench/vitest.config.js); bench/run.js reads the JSON it writes to BENCH_E2E_OUT.
 */
import { writeFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { Source } from '../../dist/index.js'
import { createParser, encodeComment, encodeEvent } from '../../dist/protocol/index.js'
import { startServer } from '../lib/child.js'
import { EVENT_NAME, payload } from '../lib/events.js'
import { median } from '../lib/stats.js'
import { profile } from './profile.js'

const EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 200_000)
const ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 5)
/** produce() hands the socket chunks of up to 64 KiB; the parse baseline is fed the same cut. */
const CHUNK = 64 * 1024

/** Streams `count` events into `Selection.current`; resolves when an effect has seen the last one. */
function streamIntoEffect(port, count) {
	const last = payload(count - 1)
	const source = new Source(`http://127.0.0.1:${port}/ours?n=${count}`, { reconnect: false })
	const tick = source.select(EVENT_NAME)
	let runs = 0
	return new Promise((resolve, reject) => {
		const start = performance.now()
		const timeout = setTimeout(() => {
			stop()
			reject(new Error(`the effect did not see event ${count - 1} within 60 s (status ${source.status}, ${runs} runs).`))
		}, 60_000)
		const stop = $effect.root(() => {
			$effect(() => {
				const value = tick.current
				runs++
				if (value === last) {
					const ms = performance.now() - start
					clearTimeout(timeout)
					// leave the effect before tearing it down
					queueMicrotask(() => {
						stop()
						source.close()
						resolve({ ms, runs })
					})
				}
			})
		})
	})
}

/** The same stream read with fetch and parsed with createParser: no Source, Selection or Svelte. */
async function fetchAndParse(port, count) {
	const start = performance.now()
	const response = await fetch(`http://127.0.0.1:${port}/ours?n=${count}`)
	let events = 0
	const parser = createParser({
		onEvent() {
			events++
		}
	})
	const reader = response.body.getReader()
	for (;;) {
		const { done, value } = await reader.read()
		if (done) break
		parser.feed(value)
	}
	parser.end()
	if (events !== count) throw new Error(`fetch + parse saw ${events} events, expected ${count}.`)
	return performance.now() - start
}

/** The same bytes parsed in this process, without network, Source or Svelte. */
function parseOnly(chunks) {
	let events = 0
	let lastData = ''
	const parser = createParser({
		onEvent(event) {
			events++
			lastData = event.data
		}
	})
	const start = performance.now()
	for (const chunk of chunks) parser.feed(chunk)
	parser.end()
	return { ms: performance.now() - start, events, lastData }
}

function streamBytes(count) {
	const parts = [encodeComment()]
	let total = parts[0].length
	for (let i = 0; i < count; i++) {
		const part = encodeEvent({ event: EVENT_NAME, data: payload(i) })
		parts.push(part)
		total += part.length
	}
	const bytes = new Uint8Array(total)
	let offset = 0
	for (const part of parts) {
		bytes.set(part, offset)
		offset += part.length
	}
	const chunks = []
	for (let at = 0; at < bytes.length; at += CHUNK) chunks.push(bytes.subarray(at, at + CHUNK))
	return { bytes, chunks }
}

test('end to end: produce() → fetch → Source → Selection.current → $effect', async () => {
	const server = await startServer('../servers/throughput-server.js')
	const e2e = []
	const effectRuns = []
	const fetchParse = []
	try {
		await streamIntoEffect(server.port, Math.min(EVENTS, 50_000)) // warm-up
		await fetchAndParse(server.port, Math.min(EVENTS, 50_000))
		for (let round = 0; round < ROUNDS; round++) {
			// alternate which goes first, so drift falls on both
			if (round % 2) fetchParse.push(await fetchAndParse(server.port, EVENTS))
			const { ms, runs } = await streamIntoEffect(server.port, EVENTS)
			e2e.push(ms)
			effectRuns.push(runs)
			if (round % 2 === 0) fetchParse.push(await fetchAndParse(server.port, EVENTS))
		}
		if (process.env.BENCH_E2E_PROFILE) {
			// one more stream under the V8 profiler: BENCH_E2E_PROFILE=out.cpuprofile
			await profile(process.env.BENCH_E2E_PROFILE, () => streamIntoEffect(server.port, EVENTS))
		}
	} finally {
		await server.stop()
	}

	const { bytes, chunks } = streamBytes(EVENTS)
	const parse = []
	for (let round = 0; round < ROUNDS + 3; round++) {
		const result = parseOnly(chunks)
		expect(result.events).toBe(EVENTS)
		expect(result.lastData).toBe(payload(EVENTS - 1))
		if (round >= 3) parse.push(result.ms)
	}

	const e2eMs = median(e2e)
	const parseMs = median(parse)
	const result = {
		events: EVENTS,
		rounds: ROUNDS,
		bytes: bytes.length,
		e2eEventsPerSecond: EVENTS / (e2eMs / 1000),
		e2eMedianMs: e2eMs,
		effectRuns: median(effectRuns),
		fetchParseEventsPerSecond: EVENTS / (median(fetchParse) / 1000),
		fetchParseMedianMs: median(fetchParse),
		parseEventsPerSecond: EVENTS / (parseMs / 1000),
		parseMedianMs: parseMs,
		ratio: parseMs / e2eMs
	}
	if (process.env.BENCH_E2E_OUT) writeFileSync(process.env.BENCH_E2E_OUT, JSON.stringify(result, null, '\t'))
	else console.log(result)
	expect(result.e2eEventsPerSecond).toBeGreaterThan(0)
})

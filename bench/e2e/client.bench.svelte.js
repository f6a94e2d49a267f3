/**
 * Figure 3, client cost per event, without a network: the same bytes, cut two ways (one event
 * per chunk, 64 KiB chunks), handed out by a `fetch` option that answers with a Response over a
 * ReadableStream of the pre-made chunks, read three ways:
 *   (a) `new Source(url, { fetch }).select('tick').subscribe(fn)`
 *   (b) the same selection's `.current`, read by an `$effect` (inside `$effect.root`)
 *   (c) the floor: the same Response body read with a reader, each chunk decoded by a streaming
 *       TextDecoder and fed to eventsource-parser, and a plain loop handing each `tick` event's
 *       data to a callback.
 *   (d) context for (b), the floor of any runes client that wakes its readers once per chunk:
 *       (c) writing each chunk's last value to a bare `$state`, read by an `$effect`.
 * Compiled and run by vitest (bench/vitest.config.js) with Svelte's browser runtime; bench/run.js
 * reads the JSON written to BENCH_CLIENT_OUT. Times are CPU time of the process (no I/O happens:
 * the work is all on this thread), in interleaved rounds whose order rotates.
 */
import { createParser as createPeerParser } from 'eventsource-parser'
import { writeFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { encodeComment, encodeEvent } from '../../dist/protocol/index.js'
import { EVENT_NAME, payload } from '../lib/events.js'
import { median } from '../lib/stats.js'
import { join } from '../parse.js'
import { profile } from './profile.js'

// BENCH_CLIENT_DIST=/path/to/dist/index.js measures another build of the client (to compare before and after a change)
const { Source } = await import(/* @vite-ignore */ process.env.BENCH_CLIENT_DIST ?? '../../dist/index.js')
const EVENTS = Number(process.env.BENCH_CLIENT_EVENTS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_CLIENT_ROUNDS ?? 9)
const CHUNK = 64 * 1024
/** The ratio to the floor that (a) and (b) must stay under. */
const TARGET = 2

/** The stream's events, one encoded `Uint8Array` each, after a comment as produce() sends first. */
function events(count) {
	const parts = [encodeComment()]
	for (let i = 0; i < count; i++) parts.push(encodeEvent({ event: EVENT_NAME, data: payload(i) }))
	return parts
}

/** A fetch that answers every request with the given chunks, read from a ReadableStream one by one. */
function fetchOf(chunks) {
	return async () => {
		let next = 0
		const body = new ReadableStream({
			pull(controller) {
				if (next < chunks.length) controller.enqueue(chunks[next++])
				else controller.close()
			}
		})
		return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
	}
}

/** Resolves with the CPU milliseconds `run` took until it called its `done`. */
function cpu(run) {
	return new Promise((resolve, reject) => {
		const start = process.cpuUsage()
		run(() => {
			const { user, system } = process.cpuUsage(start)
			resolve((user + system) / 1000)
		}, reject)
	})
}

/** A source as an app makes it, over the fake fetch. */
function source(chunks) {
	return new Source('http://bench.invalid/stream', { reconnect: false, fetch: fetchOf(chunks), readTimeout: false })
}

/** (a) every value through `subscribe`. */
function viaSubscribe(chunks, count) {
	const last = payload(count - 1)
	let seen = 0
	const sse = source(chunks)
	let stop
	return cpu((done) => {
		stop = sse.select(EVENT_NAME).subscribe((value) => {
			if (value === undefined) return
			seen++
			if (value === last) done()
		})
	}).then((ms) => {
		stop()
		sse.close()
		if (seen !== count) throw new Error(`subscribe saw ${seen} values, expected ${count}.`)
		return ms
	})
}

/** (b) `.current` read by an effect; effects are batched, so it runs about once per chunk. */
function viaEffect(chunks, count) {
	const last = payload(count - 1)
	const sse = source(chunks)
	const tick = sse.select(EVENT_NAME)
	let stop
	return cpu((done) => {
		stop = $effect.root(() => {
			$effect(() => {
				if (tick.current === last) done()
			})
		})
	}).then((ms) => {
		stop()
		sse.close()
		return ms
	})
}

/** (c) the floor: fetch, reader, streaming TextDecoder, eventsource-parser, a callback per event; `afterChunk` gets the latest value after each chunk (for (d)). */
function viaPeer(chunks, count, afterChunk) {
	const fetch = fetchOf(chunks)
	let seen = 0
	let latest
	const callback = (data) => {
		seen++
		latest = data
	}
	return cpu(async (done, fail) => {
		try {
			const response = await fetch('http://bench.invalid/stream')
			const reader = response.body.getReader()
			const decoder = new TextDecoder()
			const parser = createPeerParser({
				onEvent(event) {
					if (event.event === EVENT_NAME) callback(event.data)
				}
			})
			for (;;) {
				const { done: ended, value } = await reader.read()
				if (ended) break
				parser.feed(decoder.decode(value, { stream: true }))
				afterChunk?.(latest)
			}
			parser.feed(decoder.decode())
			done()
		} catch (error) {
			fail(error)
		}
	}).then((ms) => {
		if (seen !== count || latest !== payload(count - 1)) throw new Error(`eventsource-parser saw ${seen} events, expected ${count}.`)
		return ms
	})
}

/**
 * (d) (c) writing the chunk's last value to a bare `$state`, once per chunk, that an `$effect`
 * reads: what Svelte itself costs when readers wake once per chunk, with no library in between.
 */
function viaPeerEffect(chunks, count) {
	const last = payload(count - 1)
	let value = $state()
	let stop
	return cpu((done, fail) => {
		stop = $effect.root(() => {
			$effect(() => {
				if (value === last) done()
			})
		})
		viaPeer(chunks, count, (latest) => (value = latest)).catch(fail)
	}).then((ms) => {
		stop()
		return ms
	})
}

const WAYS = { subscribe: viaSubscribe, effect: viaEffect, floor: viaPeer, effectFloor: viaPeerEffect }

async function measure(chunks, count) {
	for (let i = 0; i < 2; i++) for (const way of Object.values(WAYS)) await way(chunks, count)
	const names = Object.keys(WAYS)
	const ms = { subscribe: [], effect: [], floor: [], effectFloor: [] }
	const ratios = { subscribe: [], effect: [], effectFloor: [], effectOverEffectFloor: [] }
	for (let round = 0; round < ROUNDS; round++) {
		const taken = {}
		// rotate the order, so that drift falls on every way alike
		for (let i = 0; i < names.length; i++) {
			const name = names[(round + i) % names.length]
			taken[name] = await WAYS[name](chunks, count)
		}
		for (const name of names) ms[name].push(taken[name])
		ratios.subscribe.push(taken.subscribe / taken.floor)
		ratios.effect.push(taken.effect / taken.floor)
		ratios.effectFloor.push(taken.effectFloor / taken.floor)
		ratios.effectOverEffectFloor.push(taken.effect / taken.effectFloor)
	}
	const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) })
	return {
		chunks: chunks.length,
		nsPerEvent: Object.fromEntries(names.map((name) => [name, (median(ms[name]) * 1e6) / count])),
		subscribe: spread(ratios.subscribe),
		effect: spread(ratios.effect),
		effectFloor: spread(ratios.effectFloor),
		effectOverEffectFloor: spread(ratios.effectOverEffectFloor)
	}
}

test('client cost per event: Source → select → subscribe / $effect against eventsource-parser and a loop', async () => {
	const parts = events(EVENTS)
	const bytes = join(parts)
	const cuts = {
		'one event per chunk': [join(parts.slice(0, 2)), ...parts.slice(2)],
		'64 KiB chunks': Array.from({ length: Math.ceil(bytes.length / CHUNK) }, (_, i) => bytes.subarray(i * CHUNK, (i + 1) * CHUNK))
	}
	if (process.env.BENCH_CLIENT_PROFILE) {
		// BENCH_CLIENT_PROFILE=out.cpuprofile [BENCH_CLIENT_WAY=subscribe|effect|floor|effectFloor] [BENCH_CLIENT_SHAPE='64 KiB chunks']: one stream under the V8 profiler
		const way = WAYS[process.env.BENCH_CLIENT_WAY ?? 'subscribe']
		const chunks = cuts[process.env.BENCH_CLIENT_SHAPE ?? 'one event per chunk']
		await way(chunks, EVENTS)
		await profile(process.env.BENCH_CLIENT_PROFILE, () => way(chunks, EVENTS))
		return
	}
	const shapes = []
	for (const [shape, chunks] of Object.entries(cuts)) shapes.push({ shape, ...(await measure(chunks, EVENTS)) })
	const result = { events: EVENTS, rounds: ROUNDS, bytes: bytes.length, target: TARGET, shapes }
	if (process.env.BENCH_CLIENT_OUT) writeFileSync(process.env.BENCH_CLIENT_OUT, JSON.stringify(result, null, '\t'))
	else {
		for (const { shape, chunks, nsPerEvent, subscribe, effect, effectFloor, effectOverEffectFloor } of shapes) {
			const f = (r) => `${r.median.toFixed(2)}× [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`
			console.log(
				`${shape} (${chunks} chunks): subscribe / floor ${f(subscribe)}, $effect / floor ${f(effect)}, ` +
					`bare $state + $effect / floor ${f(effectFloor)}, $effect / bare $state + $effect ${f(effectOverEffectFloor)}; ns per event: ` +
					Object.entries(nsPerEvent)
						.map(([name, ns]) => `${name} ${ns.toFixed(0)}`)
						.join(', ')
			)
		}
	}
	expect(shapes.every(({ subscribe }) => subscribe.median > 0)).toBe(true)
})

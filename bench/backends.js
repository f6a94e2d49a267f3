/**
 * Channel backends side by side: memory(), redis() and postgres(), through the public channel
 * API of the packaged library (dist/), so users can choose one with numbers.
 *
 * - Publish throughput: `channel.publish` awaited one at a time (each waits for its store), and
 *   with 16 publishes in flight (what a busy server does).
 * - Publish-to-receipt latency: a `channel.subscribe` listener in the same process receives
 *   events published at a steady pace; each latency is from the `publish` call to the listener's
 *   call, so it includes the store's round trip and its way back (XREAD for Redis, NOTIFY + a
 *   SELECT for Postgres).
 *
 * Each figure is the median of 3 runs, with the min and max. Redis is the one at REDIS_URL
 * (default redis://127.0.0.1:6379), Postgres the one at DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres); a backend whose server does not answer is left
 * out. Keys and tables are unique to the run and removed afterwards.
 *
 * Run alone: `npx svelte-package && node bench/backends.js` (`--quick`: fewer events).
 */
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { formatInt, median } from './lib/stats.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const IN_FLIGHT = 16

/** A backend to measure: made fresh for each run, and cleaned up after. */
async function backends(log) {
	const { memory } = await import('../dist/server.js')
	const list = [{ key: 'memory', label: 'memory()', make: async () => ({ backend: memory({ history: 1000 }), end: async () => {} }) }]

	const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`
	try {
		const { createClient } = await import('redis')
		const { redis } = await import('../dist/redis/index.js')
		const probe = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } })
		probe.on('error', () => {})
		await probe.connect()
		await probe.close()
		let run = 0
		list.push({
			key: 'redis',
			label: 'redis() (Redis Streams)',
			make: async () => {
				const prefix = `sse-bench-${tag}-${run++}:`
				const backend = redis({ url: REDIS_URL, prefix, maxLength: 1000 })
				return {
					backend,
					end: async () => {
						await backend.close()
						const client = createClient({ url: REDIS_URL })
						await client.connect()
						const keys = await client.sendCommand(['KEYS', `${prefix}*`])
						if (keys.length > 0) await client.sendCommand(['DEL', ...keys])
						await client.close()
					}
				}
			}
		})
	} catch (error) {
		log(`Redis at ${REDIS_URL} left out: ${error.message}`)
	}

	try {
		const { default: postgresJs } = await import('postgres')
		const { postgres } = await import('../dist/postgres/index.js')
		const probe = postgresJs(DATABASE_URL, { max: 1, connect_timeout: 2, onnotice: () => {} })
		await probe`SELECT 1`
		await probe.end()
		let run = 0
		list.push({
			key: 'postgres',
			label: 'postgres() (table + LISTEN/NOTIFY)',
			make: async () => {
				const table = `sse_bench_${tag}_${run++}`
				const sql = postgresJs(DATABASE_URL, { max: 10, fetch_types: false, onnotice: () => {} })
				const backend = postgres({ sql, table, history: 1000 })
				return {
					backend,
					end: async () => {
						await backend.close()
						await sql.unsafe(`DROP TABLE IF EXISTS "${table}", "${table}_channels"`)
						await sql.end()
					}
				}
			}
		})
	} catch (error) {
		log(`Postgres at ${DATABASE_URL} left out: ${error.message}`)
	}
	return list
}

function percentile(sorted, fraction) {
	return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]
}

/** One run on a fresh backend: the three figures. */
async function measure(make, { events, latencyEvents, pace }) {
	const { channel } = await import('../dist/server.js')
	const { backend, end } = await make()
	try {
		// warm-up: connections, prepared statements, tables
		const warm = channel(`warm-${Math.random()}`, { backend })
		for (let n = 0; n < 50; n++) await warm.publish('n', n)

		const serial = channel(`serial-${Math.random()}`, { backend })
		let start = performance.now()
		for (let n = 0; n < events; n++) await serial.publish('n', n)
		const serialPerSecond = events / ((performance.now() - start) / 1000)

		const parallel = channel(`parallel-${Math.random()}`, { backend })
		let next = 0
		start = performance.now()
		await Promise.all(
			Array.from({ length: IN_FLIGHT }, async () => {
				while (next < events) {
					next++
					await parallel.publish('n', next)
				}
			})
		)
		const parallelPerSecond = events / ((performance.now() - start) / 1000)

		// latency: one listener, events at a steady pace, each stamped with its publish time
		const timed = channel(`latency-${Math.random()}`, { backend })
		const latencies = []
		const stop = timed.subscribe((event) => latencies.push(performance.now() - Number(event.data)))
		const deadline = Date.now() + 5000
		while (timed.subscribers === 0 && Date.now() < deadline) await sleep(1)
		const publishes = []
		for (let n = 0; n < latencyEvents; n++) {
			publishes.push(timed.publish('t', String(performance.now())))
			await sleep(pace)
		}
		await Promise.all(publishes)
		while (latencies.length < latencyEvents && Date.now() < deadline + 10_000) await sleep(5)
		stop()
		if (latencies.length < latencyEvents) throw new Error(`only ${latencies.length} of ${latencyEvents} events arrived`)
		latencies.sort((a, b) => a - b)
		return { serialPerSecond, parallelPerSecond, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }
	} finally {
		await end()
	}
}

/**
 * @param {{ runs?: number, events?: number, latencyEvents?: number, pace?: number, log?: (line: string) => void }} [options]
 */
export async function runBackendsBench({ runs = 3, events = 2000, latencyEvents = 500, pace = 2, log = () => {} } = {}) {
	const rows = []
	for (const { key, label, make } of await backends(log)) {
		const samples = []
		for (let run = 0; run < runs; run++) {
			samples.push(await measure(make, { events, latencyEvents, pace }))
			log(`${label}, run ${run + 1}/${runs}: ${formatInt(samples.at(-1).serialPerSecond)} publishes/s one at a time, ${formatInt(samples.at(-1).parallelPerSecond)} with ${IN_FLIGHT} in flight, p50 ${samples.at(-1).p50.toFixed(2)} ms, p99 ${samples.at(-1).p99.toFixed(2)} ms`)
		}
		const stat = (name) => {
			const values = samples.map((sample) => sample[name])
			return { min: Math.min(...values), median: median(values), max: Math.max(...values) }
		}
		rows.push({ key, label, serial: stat('serialPerSecond'), parallel: stat('parallelPerSecond'), p50: stat('p50'), p99: stat('p99') })
	}
	return {
		rows,
		method:
			`Through the packaged channel API (dist/), ${runs} runs per backend, each on a fresh backend (new keys or tables) after 50 warm-up publishes. ` +
			`Throughput: ${formatInt(events)} publishes of a small number awaited one at a time, then ${formatInt(events)} with ${IN_FLIGHT} in flight. ` +
			`Latency: ${formatInt(latencyEvents)} events published every ${pace} ms to a channel.subscribe listener in the same process, from the publish call to the listener's call. ` +
			`Redis at ${REDIS_URL}, Postgres at ${DATABASE_URL} (postgres.js, 10 connections), both on this machine; history 1 000 everywhere. Cells: median (min–max).`
	}
}

export function formatBackends(result) {
	const cell = ({ min, median, max }, format) => `${format(median)} (${format(min)}–${format(max)})`
	const ms = (value) => value.toFixed(2)
	const lines = [`| backend | publishes/s, one at a time | publishes/s, ${IN_FLIGHT} in flight | latency p50 ms | latency p99 ms |`, '|---|---:|---:|---:|---:|']
	for (const row of result.rows) {
		lines.push(`| ${row.label} | ${cell(row.serial, formatInt)} | ${cell(row.parallel, formatInt)} | ${cell(row.p50, ms)} | ${cell(row.p99, ms)} |`)
	}
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const quick = process.argv.includes('--quick')
	const result = await runBackendsBench({ log: console.error, ...(quick ? { runs: 1, events: 300, latencyEvents: 100 } : {}) })
	console.log(formatBackends(result))
	console.log(`\n${result.method}`)
}

import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channel } from '../../src/lib/server.js'
import { migration, postgres, PostgresUnavailableError, type PostgresBackend } from '../../src/lib/postgres/index.js'
import { backendSuite, restartMidStream } from '../server/backend-suite.js'
import { buildInstance, startInstance } from '../helpers/instances.js'
import { sleep, until } from '../helpers/wait.js'
import { open, received } from '../server/sse-client.js'
import { connect, DATABASE_URL, drop, kept, privatePostgres, uniqueTable } from './helpers.js'

const sql = connect(DATABASE_URL, { max: 10 })
const backends: PostgresBackend[] = []
const table = uniqueTable()
afterAll(async () => {
	await Promise.all(backends.splice(0).map((backend) => backend.close()))
	await drop(DATABASE_URL, table)
	await sql.end()
})

backendSuite('postgres', {
	make: (history) => {
		const backend = postgres({ sql, table, history })
		backends.push(backend)
		return backend
	}
})

/** The numbers a reader received, and their ids. */

describe('postgres', () => {
	it('refuses options out of range', () => {
		expect(() => postgres({} as never)).toThrow(TypeError)
		expect(() => postgres({ sql, table: 'Events' })).toThrow(TypeError)
		expect(() => postgres({ sql, table: 'a; DROP TABLE b' })).toThrow(TypeError)
		expect(() => postgres({ sql, table: 'x'.repeat(55) })).toThrow(TypeError)
		expect(() => postgres({ sql, history: 0 })).toThrow(RangeError)
		expect(() => postgres({ sql, history: 1.5 })).toThrow(RangeError)
		expect(() => postgres({ sql, maxAge: 0 })).toThrow(RangeError)
		expect(() => postgres({ sql, timeout: -1 })).toThrow(RangeError)
		expect(() => migration('app.Events')).toThrow(TypeError)
		expect(migration('app.sse_events')).toContain('"app"."sse_events_channels"')
	})

	it('orders ids by number, ids it never made first', () => {
		const { compare } = postgres({ sql })
		expect(compare('9', '10')).toBeLessThan(0)
		expect(compare('10', '10')).toBe(0)
		expect(compare('123456789012345678', '99')).toBeGreaterThan(0)
		expect(compare('abc-1', '1')).toBeLessThan(0)
		expect(compare('007', '1')).toBeLessThan(0)
	})

	it('stores any data, U+0000 and 100 kB included, and notifies only where to find it', async () => {
		const backend = postgres({ sql, table })
		backends.push(backend)
		const room = channel<{ note: string }>(`large-${Date.now()}`, { backend })
		const seen: string[] = []
		room.subscribe((event) => seen.push(event.data))
		await until(() => room.subscribers === 1, 'the subscriber')
		const large = 'x'.repeat(100_000)
		await room.publish('note', 'a\0b')
		await room.publish('note', large)
		await until(() => seen.length === 2, 'both events')
		expect(seen).toEqual(['a\0b', large])
		expect((await room.latest())?.data).toBe(large)
	})

	it('gives publishes made at once the ids of their calls, in order', async () => {
		const backend = postgres({ sql, table })
		backends.push(backend)
		const room = channel<{ n: string }>(`batched-${Date.now()}`, { backend })
		const first = Number(await room.publish('n', 'first'))
		const data = Array.from({ length: 700 }, (_, index) => (index % 7 === 0 ? `${index}\0` : String(index)))
		const ids = await Promise.all(data.map((text) => room.publish('n', text)))
		expect(ids).toEqual(data.map((_, index) => String(first + 1 + index)))
		expect((await backend.history(room.name, String(first)))?.map((event) => event.data)).toEqual(data)
	})

	it('works on an sql made with fetch_types: false, the one its docs advise, any text in a batch', async () => {
		// without the array types postgres.js fetches, a string[] parameter reaches Postgres as a
		// malformed array literal; the backend must not depend on them
		const own = connect(DATABASE_URL, { max: 2, fetch_types: false })
		const backend = postgres({ sql: own, table })
		try {
			const room = channel<{ [name: string]: string }>(`untyped-${Date.now()}`, { backend })
			const seen: Array<[string, string]> = []
			room.subscribe((event) => seen.push([event.event, event.data]))
			await until(() => room.subscribers === 1, 'the subscriber')
			const first = await room.publish('start', '')
			const tricky: Array<[string, string]> = [
				['q"uote', 'a "quoted" word'],
				['back\\slash', 'C:\\dir\\ and \\"'],
				['comma,brace{}', '{1,2},{"x"}'],
				['NULL', 'NULL'],
				['empty', ''],
				['spaces', '  both ends  '],
				['nul', 'a\0b'],
				['wide', 'é ✓ 😀'],
				['lines', 'one\ntwo\r\nthree']
			]
			// published at once, so that they go in one batch: one statement with arrays of them all
			const ids = await Promise.all(tricky.map(([event, data]) => room.publish(event, data)))
			expect(ids).toEqual(tricky.map((_, index) => String(Number(first) + 1 + index)))
			expect((await backend.history(room.name, first))?.map((event) => [event.event, event.data])).toEqual(tricky)
			await until(() => seen.length === tricky.length + 1, 'every event, live')
			expect(seen.slice(1)).toEqual(tricky)
		} finally {
			await backend.close()
			await own.end()
		}
	})

	it('forgets events older than maxAge', async () => {
		const backend = postgres({ sql, table, maxAge: 200 })
		backends.push(backend)
		const room = channel<{ n: number }>(`aged-${Date.now()}`, { backend })
		const first = await room.publish('n', 1)
		const second = await room.publish('n', 2)
		expect(await backend.history(room.name, first)).toEqual([{ id: second, event: 'n', data: '2' }])
		await sleep(300)
		const third = await room.publish('n', 3)
		expect(await backend.history(room.name, first)).toBeUndefined()
		expect(await backend.history(room.name, third)).toEqual([])
		expect(await room.latest()).toEqual({ id: third, event: 'n', data: '3' })
		await sleep(300)
		expect(await room.latest()).toBeUndefined()
	})

	it('deletes rows in the background once they are well past the history', async () => {
		const backend = postgres({ sql, table, history: 5, maxAge: 3_600_000 })
		backends.push(backend)
		const room = channel<{ n: number }>(`trimmed-${Date.now()}`, { backend })
		const first = await room.publish('n', 1)
		await Promise.all(Array.from({ length: 1099 }, (_, index) => room.publish('n', index + 2)))
		expect(await backend.history(room.name, first)).toBeUndefined()
		expect(await backend.history(room.name, '1094')).toBeUndefined()
		expect((await backend.history(room.name, '1095'))?.map((event) => event.data)).toEqual(['1096', '1097', '1098', '1099', '1100'])
		// the publisher of id 1100 deleted ids up to 1100 - 5 - 1000, kept for live readers that lag behind
		let oldest: string | undefined
		for (let tries = 0; tries < 100 && oldest !== '96'; tries++) {
			if (tries > 0) await sleep(50)
			oldest = (await kept(DATABASE_URL, table, room.name))[0]?.id
		}
		expect(oldest).toBe('96')
	}, 15_000)

	it('listens on one connection, however many channels it serves', async () => {
		const own = connect(DATABASE_URL, { max: 4, connection: { application_name: `sse-listen-${process.pid}` } })
		const backend = postgres({ sql: own, table })
		try {
			const stops = await Promise.all(Array.from({ length: 20 }, (_, index) => backend.subscribe(`listen-${index}`, { event: () => {} })))
			const [{ listening }] = (await sql.unsafe(`SELECT count(*)::int AS listening FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'listen%'`, [`sse-listen-${process.pid}`])) as unknown as [{ listening: number }]
			expect(listening).toBe(1)
			for (const stop of stops) stop()
		} finally {
			await backend.close()
			await own.end()
		}
	})

	it('survives a Postgres restart mid-stream: nothing committed is lost, and publish rejects while it is down', async () => {
		const own = await privatePostgres()
		// as the docs advise: with array types to fetch, postgres.js may reject a promise nobody holds
		// when the restart cuts a connection that is opening (porsager/postgres#1192), and fail this run
		const ownSql = connect(own.url, { max: 4, fetch_types: false })
		const backend = postgres({ sql: ownSql, table, timeout: 500 })
		try {
			const { published, kept: stored } = await restartMidStream({
				backend,
				store: own,
				Unavailable: PostgresUnavailableError,
				kept: () => kept(own.url, table, 'restart'),
				reportsIdleOutage: false
			})
			// gap-free ids from 1, and every number at least once (a publish cut off by the stop may be stored and sent again)
			expect(stored.map((entry) => entry.id)).toEqual(stored.map((_, index) => String(index + 1)))
			expect(new Set(stored.map((entry) => entry.data)).size).toBe(published)
		} finally {
			await backend.close()
			await ownSql.end({ timeout: 1 })
			await own.remove()
		}
	}, 30_000)
})

describe('two instances on one Postgres', () => {
	let script: string
	const children: ChildProcess[] = []
	const clusterTable = uniqueTable()
	beforeAll(async () => {
		script = await buildInstance('tests/postgres/instance.ts', 'tests/postgres/.build')
	}, 60_000)
	afterAll(async () => {
		for (const child of children) child.kill('SIGKILL')
		await drop(DATABASE_URL, clusterTable)
	})

	const instance = () => startInstance(script, { DATABASE_URL, TABLE: clusterTable }, children)
	const publish = async (url: string, query: string) => ((await (await fetch(`${url}/publish?${query}`, { method: 'POST' })).json()) as { last: string }).last

	it('gives every reader every event of two racing publishers exactly once, in one order with no gap', async () => {
		const [a, b] = await Promise.all([instance(), instance()])
		// readers on both instances, from a known id on: each must then see everything after it
		const start = await publish(a.url, 'tag=start&count=1')
		const readers = await Promise.all([a.url, a.url, b.url, b.url].map((url) => open(`${url}/events`, start)))
		const perInstance = 400
		const lasts = await Promise.all([publish(a.url, `tag=a&count=${perInstance}&parallel=4`), publish(b.url, `tag=b&count=${perInstance}&parallel=4`)])
		const total = 2 * perInstance
		const last = String(Number(start) + total)
		expect(lasts).toContain(last)
		await until(() => readers.every((reader) => reader.lastEventId === last), 'the last event on every reader', 10_000)
		const stored = (await kept(DATABASE_URL, clusterTable, 'cluster')).filter((entry) => Number(entry.id) > Number(start))
		expect(stored).toHaveLength(total)
		// one order that every reader agrees on: the table's, with ids start+1, start+2… and nothing twice
		expect(stored.map((entry) => Number(entry.id))).toEqual(stored.map((_, index) => Number(start) + 1 + index))
		for (const reader of readers) {
			expect(reader.events.every((event) => event.type === 'n')).toBe(true)
			expect(received([reader])).toEqual(stored)
		}
		// each loop's own events keep their order, and the two instances did race
		const loops = new Map<string, number[]>()
		for (const { data } of stored) {
			const [loop, k] = data.split(':') as [string, string]
			loops.set(loop, [...(loops.get(loop) ?? []), Number(k)])
		}
		expect(loops.size).toBe(8)
		for (const ks of loops.values()) expect(ks).toEqual(ks.map((_, index) => index + 1))
		const switches = stored.filter((entry, index) => index > 0 && entry.data[0] !== stored[index - 1]!.data[0]).length
		expect(switches).toBeGreaterThan(10)
		for (const reader of readers) reader.close()
		a.child.kill('SIGKILL')
		b.child.kill('SIGKILL')
	}, 60_000)

	it('moves clients of a killed instance to another, every event exactly once and in order', async () => {
		const [a, b] = await Promise.all([instance(), instance()])
		// A publishes on and on; its answer never comes, since it is killed first
		publish(a.url, 'tag=a&count=1000000000').catch(() => {})
		const clients = await Promise.all(Array.from({ length: 5 }, () => open(`${b.url}/events`)))
		await until(() => clients.every((client) => client.events.length >= 100), 'events through B', 10_000)
		b.child.kill('SIGKILL')
		await Promise.all(clients.map((client) => client.ended))
		// each client comes back to A with its last event id
		const resumed = await Promise.all(clients.map((client) => open(`${a.url}/events`, client.lastEventId)))
		await until(() => resumed.every((client) => client.events.length >= 100), 'events through A', 10_000)
		a.child.kill('SIGKILL')
		await Promise.all(resumed.map((client) => client.ended))
		const stored = await kept(DATABASE_URL, clusterTable, 'cluster')
		for (let index = 0; index < clients.length; index++) {
			const got = received([clients[index]!, resumed[index]!])
			const from = stored.findIndex((entry) => entry.id === got[0]!.id)
			expect(from).toBeGreaterThanOrEqual(0)
			expect(got).toEqual(stored.slice(from, from + got.length))
			expect(got.map((entry) => Number(entry.id))).toEqual(got.map((_, offset) => Number(got[0]!.id) + offset))
		}
	}, 60_000)
})

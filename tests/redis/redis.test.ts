import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redis, RedisUnavailableError, type RedisBackend } from '../../src/lib/redis/index.js'
import { channel } from '../../src/lib/server.js'
import { backendSuite, restartMidStream } from '../server/backend-suite.js'
import { buildInstance, startInstance } from '../helpers/instances.js'
import { until } from '../helpers/wait.js'
import { open, received } from '../server/sse-client.js'
import { clear, kept, privateRedis, REDIS_URL, uniquePrefix } from './helpers.js'

const backends: RedisBackend[] = []
const prefix = uniquePrefix()
afterAll(async () => {
	await Promise.all(backends.splice(0).map((backend) => backend.close()))
	await clear(REDIS_URL, prefix)
})

backendSuite('redis', {
	make: (history) => {
		const backend = redis({ url: REDIS_URL, prefix, maxLength: history })
		backends.push(backend)
		return backend
	}
})


describe('redis', () => {
	it('refuses options out of range', () => {
		expect(() => redis({ maxLength: 0 })).toThrow(RangeError)
		expect(() => redis({ timeout: -1 })).toThrow(RangeError)
	})

	it('rejects publish, and ends a new stream, within its timeout when Redis is down from the start', async () => {
		// nothing listens on port 1: node-redis would try to connect for ever
		const backend = redis({ url: 'redis://127.0.0.1:1', prefix, timeout: 300 })
		backends.push(backend)
		const started = Date.now()
		await expect(backend.publish('down', 'n', '1')).rejects.toBeInstanceOf(RedisUnavailableError)
		expect(Date.now() - started).toBeLessThan(3000)
		const errors: unknown[] = []
		const room = channel('down', { backend })
		const response = room.produce(new Request('http://localhost/'), { ping: false, onerror: (error) => void errors.push(error) })
		await new Response(response.body).text()
		expect(errors).toEqual([expect.any(RedisUnavailableError)])
		await expect(room.publish('n', 2)).rejects.toBeInstanceOf(RedisUnavailableError)
	})

	it('survives a Redis restart mid-stream: nothing Redis kept is lost, and publish rejects while it is down', async () => {
		const own = await privateRedis()
		const backend = redis({ url: own.url, prefix, timeout: 500 })
		try {
			await restartMidStream({ backend, store: own, Unavailable: RedisUnavailableError, kept: () => kept(own.url, `${prefix}restart`) })
		} finally {
			await backend.close()
			await own.remove()
		}
	}, 30_000)
})

describe('two instances on one Redis', () => {
	let script: string
	const children: ChildProcess[] = []
	beforeAll(async () => {
		script = await buildInstance('tests/redis/instance.ts', 'tests/redis/.build')
	}, 60_000)
	afterAll(() => {
		for (const child of children) child.kill('SIGKILL')
	})

	const instance = (env: Record<string, string>) => startInstance(script, { REDIS_URL, PREFIX: clusterPrefix, ...env }, children)
	const clusterPrefix = uniquePrefix()
	afterAll(() => clear(REDIS_URL, clusterPrefix))

	it('moves clients of a killed instance to another, every event exactly once and in order', async () => {
		const a = await instance({ PUBLISH: '1' })
		const b = await instance({})
		const clients = await Promise.all(Array.from({ length: 5 }, () => open(b.url)))
		await until(() => clients.every((client) => client.events.length >= 100), 'events through B', 10_000)
		b.child.kill('SIGKILL')
		await Promise.all(clients.map((client) => client.ended))
		// each client comes back to A with its last event id
		const resumed = await Promise.all(clients.map((client) => open(a.url, client.lastEventId)))
		await until(() => resumed.every((client) => client.events.length >= 100), 'events through A', 10_000)
		a.child.kill('SIGKILL')
		await Promise.all(resumed.map((client) => client.ended))
		const stored = await kept(REDIS_URL, `${clusterPrefix}cluster`)
		for (let index = 0; index < clients.length; index++) {
			const got = received([clients[index]!, resumed[index]!])
			const start = stored.findIndex((entry) => entry.id === got[0]!.id)
			expect(start).toBeGreaterThanOrEqual(0)
			expect(got).toEqual(stored.slice(start, start + got.length))
			// and the numbers themselves run on with no gap
			expect(got.map((entry) => Number(entry.data))).toEqual(got.map((_, offset) => Number(got[0]!.data) + offset))
		}
	}, 60_000)
})

import { describe, expect, expectTypeOf, it } from 'vitest'
import { channel, memory, produce, HISTORY_LOST, type ChannelEvent } from '../../src/lib/server.js'
import { backendSuite, counting } from './backend-suite.js'
import { sleep, until } from '../helpers/wait.js'

backendSuite('memory', { make: (history) => memory({ history }) })

describe('channel', () => {
	it('is the same channel for the same name and backend, and another for another backend', () => {
		const backend = memory()
		expect(channel('a', { backend })).toBe(channel('a', { backend }))
		expect(channel('a', { backend })).not.toBe(channel('b', { backend }))
		expect(channel('a', { backend })).not.toBe(channel('a', { backend: memory() }))
		expect(channel('a')).toBe(channel('a'))
	})

	it('refuses a name that is not a non-empty string', () => {
		expect(() => channel('')).toThrow(TypeError)
		expect(() => channel(42 as unknown as string)).toThrow(TypeError)
	})

	it('types publish, latest and the events of filter by the event map', async () => {
		type Events = { tick: { n: number }; note: string }
		const room = channel<Events>('typed', { backend: memory() })
		await room.publish('tick', { n: 1 })
		// @ts-expect-error the data of a tick is { n: number }
		await room.publish('tick', { n: 'one' }).catch(() => {})
		// @ts-expect-error no such event
		await room.publish('tock', 1).catch(() => {})
		const latest = await room.latest('tick')
		expectTypeOf(latest).toEqualTypeOf<ChannelEvent<Events, 'tick'> | undefined>()
		expect(latest?.event).toBe('tick')
	})
})

describe('channel.produce()', () => {
	it('ends a stream whose client stops reading mid-replay once the live events waiting for it pass its limit, as a full queue does', async () => {
		const backend = counting(memory())
		const room = channel('stalled-replay', { backend })
		const first = await room.publish('n', 'start')
		const kilobyte = 'x'.repeat(1024)
		for (let i = 0; i < 40; i++) await room.publish('n', kilobyte)
		const stops: string[] = []
		const request = new Request('http://localhost/', { headers: { 'last-event-id': first } })
		const response = room.produce(request, { ping: false, maxQueuedBytes: 16 * 1024, stop: (reason) => void stops.push(reason) })
		// nobody reads: the replay (40 KiB) waits at half the limit instead of ending the stream
		await sleep(50)
		expect(stops).toEqual([])
		expect(backend.live).toBe(1)
		// live events wait meanwhile, up to the stream's limit
		for (let i = 0; i < 20; i++) await room.publish('n', kilobyte)
		await until(() => stops.length === 1, 'the stream to end')
		expect(stops).toEqual(['queue-full'])
		await until(() => backend.live === 0, 'the channel to let go of the backend')
		await response.body?.cancel()
	})
})

describe('channel.events()', () => {
	it('iterates events from the moment of the call, replaying after an id, until the signal aborts', async () => {
		const room = channel<{ n: number }>('iterated', { backend: memory() })
		const first = await room.publish('n', 1)
		const abort = new AbortController()
		const events = room.events({ after: first, signal: abort.signal })
		await room.publish('n', 2)
		await room.publish('n', 3)
		const seen: string[] = []
		for await (const event of events) {
			seen.push(event.data)
			if (seen.length === 2) abort.abort()
		}
		expect(seen).toEqual(['2', '3'])
		expect(room.subscribers).toBe(0)
	})

	it('unsubscribes when the loop breaks, and throws for a consumer that does not pull', async () => {
		const room = channel<{ n: number }>('slow-reader', { backend: memory() })
		const events = room.events({ maxQueued: 2 })
		await sleep(0)
		for (let n = 1; n <= 3; n++) await room.publish('n', n)
		await expect(events.next()).resolves.toEqual({ value: expect.objectContaining({ data: '1' }), done: false })
		await events.next()
		await expect(events.next()).rejects.toThrow(/maxQueued/)
		expect(room.subscribers).toBe(0)
		const again = room.events()
		await sleep(0)
		await room.publish('n', 4)
		for await (const event of again) {
			expect(event.data).toBe('4')
			break
		}
		expect(room.subscribers).toBe(0)
		expect(() => room.events({ maxQueued: 0 })).toThrow(RangeError)
	})
})

describe('produce<Events>()', () => {
	it('checks event names and data against the event map', () => {
		type Events = { tick: { n: number } }
		const response = produce<Events>(({ emit, lock }) => {
			emit('tick', { n: 1 })
			// @ts-expect-error the data of a tick is { n: number }
			emit('tick', 'one')
			// @ts-expect-error no such event
			emit('tock', { n: 1 })
			lock.set(false)
		})
		expect(response.headers.get('content-type')).toContain('text/event-stream')
	})
})

describe('memory', () => {
	it('refuses a history or maxAge out of range', () => {
		expect(() => memory({ history: -1 })).toThrow(RangeError)
		expect(() => memory({ history: 1.5 })).toThrow(RangeError)
		expect(() => memory({ maxAge: 0 })).toThrow(RangeError)
	})

	it('forgets events older than maxAge', async () => {
		const backend = memory({ maxAge: 50 })
		const first = await backend.publish('aged', 'n', '1')
		const second = await backend.publish('aged', 'n', '2')
		expect(await backend.history('aged', first)).toEqual([{ id: second, event: 'n', data: '2' }])
		await sleep(80)
		const third = await backend.publish('aged', 'n', '3')
		// the first is long gone, and so is the second: what came after the first may be lost
		expect(await backend.history('aged', first)).toBeUndefined()
		// but a client that had the second missed nothing that is gone
		expect(await backend.history('aged', second)).toEqual([{ id: third, event: 'n', data: '3' }])
		expect(await backend.latest('aged')).toEqual({ id: third, event: 'n', data: '3' })
	})

	it("does not take another instance's ids, even the same number", async () => {
		const a = memory()
		const b = memory()
		const id = await a.publish('room', 'n', '1')
		await b.publish('room', 'n', '1')
		expect(await b.history('room', id)).toBeUndefined()
		expect(HISTORY_LOST).toBe('svelte-sse:history-lost')
	})
})

/**
 * What every channel backend must do, judged through the public channel API against a real
 * HTTP server. Each backend's test file calls `backendSuite` with a way to make a fresh backend.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { channel, HISTORY_LOST, ProtocolError, type Backend, type Channel } from '../../src/lib/server.js'
import { serve, type Served } from '../helpers/serve.js'
import { sleep, until } from '../helpers/wait.js'
import { open, received, type Reader } from './sse-client.js'

/** A backend that counts its live subscriptions (in all and per channel), to show that none is left behind. */
export function counting(backend: Backend): Backend & { live: number; channels: Map<string, number> } {
	const counted = {
		live: 0,
		channels: new Map<string, number>(),
		publish: backend.publish.bind(backend),
		history: backend.history.bind(backend),
		latest: backend.latest.bind(backend),
		compare: backend.compare.bind(backend),
		async subscribe(name: string, listener: Parameters<Backend['subscribe']>[1]) {
			const unsubscribe = await backend.subscribe(name, listener)
			const change = (by: number) => {
				counted.live += by
				counted.channels.set(name, (counted.channels.get(name) ?? 0) + by)
			}
			change(1)
			let once = false
			return () => {
				if (once) return
				once = true
				change(-1)
				unsubscribe()
			}
		}
	}
	return counted
}

/**
 * A backend whose history reads take a while on both sides of the read, as a remote store's do:
 * live events arrive while a replay is on its way, so the seam between the two is exercised.
 */
function slowed(backend: Backend): Backend {
	return {
		publish: backend.publish.bind(backend),
		subscribe: backend.subscribe.bind(backend),
		latest: backend.latest.bind(backend),
		compare: backend.compare.bind(backend),
		async history(name, after) {
			await sleep(3)
			const events = await backend.history(name, after)
			await sleep(3)
			return events
		}
	}
}

/** A backend whose live feed lags behind its store, as a remote reader's does: a replay may hold what the feed has not given yet. */
function lagging(backend: Backend): Backend {
	return {
		publish: backend.publish.bind(backend),
		history: backend.history.bind(backend),
		latest: backend.latest.bind(backend),
		compare: backend.compare.bind(backend),
		subscribe: (name, listener) => backend.subscribe(name, { ...listener, event: (event) => void setTimeout(() => listener.event(event), 15) })
	}
}

type Events = { n: number; note: string }

export interface SuiteOptions {
	/** A backend that keeps at most about `history` events per channel. */
	make(history: number): Backend | Promise<Backend>
	/** Ends what `make` started. */
	end?(): void | Promise<void>
}

export function backendSuite(name: string, options: SuiteOptions): void {
	describe(`channels on ${name}`, () => {
		let backend: ReturnType<typeof counting>
		let small: Backend
		let large: Backend
		let server: Served
		let names = 0
		const readers: Reader[] = []
		/** A channel no other test uses. */
		const fresh = (on: Backend = backend) => channel<Events>(`test-${Date.now()}-${names++}`, { backend: on })
		const routes = new Map<string, (request: Request) => Response>()
		const url = (room: Channel<Events>, produce: (request: Request) => Response = (request) => room.produce(request, { ping: false })) => {
			routes.set(room.name, produce)
			return `${server.url}/${room.name}`
		}
		const connect = async (address: string, lastEventId?: string) => {
			const reader = await open(address, lastEventId)
			readers.push(reader)
			return reader
		}
		const numbers = (reader: Reader) => reader.events.filter((event) => event.type === 'n').map((event) => Number(event.data))

		beforeAll(async () => {
			backend = counting(await options.make(1000))
			small = await options.make(5)
			// a publisher that never pauses outruns a small history between two connections
			large = await options.make(1_000_000)
			server = await serve((request) => {
				const route = routes.get(new URL(request.url).pathname.slice(1))
				return route ? route(request) : new Response('no such channel', { status: 404 })
			})
		})
		afterEach(() => {
			for (const reader of readers.splice(0)) reader.close()
		})
		afterAll(async () => {
			await server.close()
			await options.end?.()
		})

		it('gives each event an id, increasing in publish order, and the latest for SSR', async () => {
			const room = fresh()
			const ids = [await room.publish('n', 1), await room.publish('note', 'hi'), await room.publish('n', 2)]
			expect(new Set(ids).size).toBe(3)
			expect(await room.latest()).toEqual({ id: ids[2], event: 'n', data: '2' })
			expect(await room.latest('note')).toEqual({ id: ids[1], event: 'note', data: 'hi' })
			expect(await fresh().latest()).toBeUndefined()
		})

		it('sends live events to every stream, formatted as emit formats them', async () => {
			const room = fresh()
			const address = url(room)
			const [a, b] = [await connect(address), await connect(address)]
			await until(() => room.subscribers === 2, 'two subscribers')
			const id = await room.publish('note', 'hello\nworld')
			await until(() => a.events.length === 1 && b.events.length === 1, 'the event on both streams')
			for (const reader of [a, b]) expect(reader.events).toEqual([{ type: 'note', data: 'hello\nworld', lastEventId: id }])
		})

		it('replays what a client missed, exactly once and in order, then goes on live', async () => {
			const room = fresh()
			const address = url(room)
			const first = await connect(address)
			await until(() => room.subscribers === 1, 'the subscriber')
			for (let n = 1; n <= 3; n++) await room.publish('n', n)
			await until(() => first.events.length === 3, 'three events')
			first.close()
			await until(() => room.subscribers === 0, 'the disconnect')
			for (let n = 4; n <= 8; n++) await room.publish('n', n)
			const again = await connect(address, first.lastEventId)
			await until(() => again.events.length === 5, 'the replay')
			await room.publish('n', 9)
			await until(() => again.events.length === 6, 'a live event after the replay')
			expect(numbers(again)).toEqual([4, 5, 6, 7, 8, 9])
		})

		it('replays more than the stream can queue to a client that reads, paced by it, then goes on live', async () => {
			const room = fresh()
			const stops: string[] = []
			const address = url(room, (request) => room.produce(request, { ping: false, stop: (reason) => void stops.push(reason) }))
			const first = await room.publish('n', 0)
			// 300 events of 4 KiB: 1.2 MB, more than a stream's default limit of 1 MiB waiting to be sent
			const text = 'x'.repeat(4096)
			for (let n = 1; n <= 300; n++) await room.publish('note', text)
			const reader = await connect(address, first)
			await until(() => reader.events.length === 300, 'the whole replay', 10_000)
			await until(() => room.subscribers === 1, 'the subscriber live after its replay')
			await room.publish('n', 301)
			await until(() => reader.events.length === 301, 'a live event after the replay')
			expect(stops).toEqual([])
			expect(reader.events.slice(0, 300).every((event) => event.type === 'note' && event.data === text)).toBe(true)
			expect(numbers(reader)).toEqual([301])
		})

		it.each([
			['a slow store', slowed],
			['a lagging live feed', lagging]
		])('has no gap and no duplicate at the seam while a publisher never pauses, with %s', async (_, wrap) => {
			const room = fresh(wrap(large))
			const address = url(room)
			let publishing = true
			let published = 0
			const publisher = (async () => {
				while (publishing) {
					await room.publish('n', ++published)
					// no delay, but a turn of the event loop: an in-memory publish alone would starve the server
					await new Promise((resolve) => setImmediate(resolve))
				}
			})()
			// a client that keeps leaving and coming back with its last id
			const seen: number[] = []
			let lastEventId: string | undefined
			for (let round = 0; round < 12; round++) {
				const reader = await connect(address, lastEventId)
				await sleep(5 + Math.random() * 30)
				reader.close()
				await reader.ended
				seen.push(...numbers(reader))
				expect(reader.events.filter((event) => event.type === HISTORY_LOST)).toEqual([])
				if (reader.lastEventId) lastEventId = reader.lastEventId
			}
			publishing = false
			await publisher
			const last = await connect(address, lastEventId)
			await until(() => (numbers(last).at(-1) ?? seen.at(-1)) === published, 'the rest of the events', 10_000)
			seen.push(...numbers(last))
			expect(seen.length).toBeGreaterThan(20)
			// the first connection had no id: it starts wherever the publisher was
			expect(seen).toEqual(Array.from({ length: seen.length }, (_, index) => seen[0]! + index))
			expect(seen.at(-1)).toBe(published)
		})

		it('tells a client whose id is older than the history, with the latest id, then goes on live', async () => {
			const room = fresh(small)
			const address = url(room)
			const first = await room.publish('n', 1)
			for (let n = 2; n <= 300; n++) await room.publish('n', n)
			const latest = await room.latest()
			const reader = await connect(address, first)
			await until(() => reader.events.length === 1, 'the signal')
			expect(reader.events[0]).toEqual({ type: HISTORY_LOST, data: JSON.stringify({ lastEventId: first, latest: latest!.id }), lastEventId: latest!.id })
			await room.publish('n', 301)
			await until(() => reader.events.length === 2, 'a live event')
			expect(numbers(reader)).toEqual([301])
		})

		it('tells a client whose id it never made', async () => {
			const room = fresh()
			const address = url(room)
			await room.publish('n', 1)
			const reader = await connect(address, 'not-an-id-of-this-channel')
			await until(() => reader.events.length === 1, 'the signal')
			expect(reader.events[0]!.type).toBe(HISTORY_LOST)
		})

		it('leaves the id of a client it cannot place on an empty channel as it was, so that a reconnect is told again instead of starting afresh in silence', async () => {
			const room = fresh()
			const address = url(room)
			const unknown = 'not-an-id-of-this-channel'
			const first = await connect(address, unknown)
			await until(() => first.events.length === 1, 'the signal')
			expect(first.events[0]).toEqual({ type: HISTORY_LOST, data: JSON.stringify({ lastEventId: unknown, latest: null }), lastEventId: unknown })
			expect(first.lastEventId).toBe(unknown)
			first.close()
			await until(() => room.subscribers === 0, 'the disconnect')
			// published while the client is away: with no id it would come back as a new client, and miss it unknowingly
			await room.publish('n', 1)
			const again = await connect(address, first.lastEventId)
			await until(() => again.events.length === 1, 'the signal again')
			expect(again.events[0]!.type).toBe(HISTORY_LOST)
		})

		it('filters per subscriber, and sends initial events to that subscriber only', async () => {
			const room = fresh()
			const address = url(room, (request) =>
				room.produce(request, {
					ping: false,
					filter: (event) => event.event !== 'n' || Number(event.data) % 2 === 0,
					initial: async ({ emit }) => {
						await sleep(100)
						emit('note', 'welcome')
					}
				})
			)
			const other = fresh()
			const plain = await connect(url(other))
			const reader = await connect(address)
			// published once the channel listens but while `initial` is still running: it waits, it is not lost
			await until(() => backend.channels.get(room.name) === 1 && other.subscribers === 1, 'both channels to listen')
			for (let n = 1; n <= 4; n++) await room.publish('n', n)
			await until(() => reader.events.length === 3, 'the events')
			expect(reader.events.map((event) => `${event.type}:${event.data}`)).toEqual(['note:welcome', 'n:2', 'n:4'])
			expect(plain.events).toEqual([])
		})

		it('rejects data it cannot send, storing nothing', async () => {
			const room = fresh()
			const cyclic: Record<string, unknown> = {}
			cyclic.self = cyclic
			await expect(room.publish('note', cyclic as never)).rejects.toThrow(ProtocolError)
			await expect(room.publish('bad\nname' as 'note', 'x')).rejects.toThrow(ProtocolError)
			await expect(room.publish('note', '\ud800' as string)).rejects.toThrow(ProtocolError)
			expect(await room.latest()).toBeUndefined()
		})

		it('resumes from the id a page rendered, losing nothing published since', async () => {
			const room = fresh()
			const address = url(room)
			await room.publish('n', 1)
			const rendered = await room.latest('n')
			await room.publish('n', 2)
			await room.publish('n', 3)
			const reader = await connect(address, rendered!.id)
			await until(() => reader.events.length === 2, 'what came after the render')
			expect(numbers(reader)).toEqual([2, 3])
		})

		it('feeds subscribe() listeners, replaying after an id', async () => {
			const room = fresh()
			const first = await room.publish('n', 1)
			await room.publish('n', 2)
			const seen: string[] = []
			const stop = room.subscribe((event) => seen.push(`${event.event}:${event.data}`), { after: first })
			await until(() => seen.length === 1, 'the replay')
			await room.publish('note', 'live')
			await until(() => seen.length === 2, 'the live event')
			stop()
			await room.publish('n', 3)
			await sleep(50)
			expect(seen).toEqual(['n:2', 'note:live'])
		})

		it('leaves no subscriber behind after 2 000 random disconnects', async () => {
			const room = fresh()
			const address = url(room)
			let publishing = true
			const publisher = (async () => {
				let n = 0
				while (publishing) {
					await room.publish('n', ++n)
					await sleep(1)
				}
			})()
			for (let batch = 0; batch < 40; batch++) {
				await Promise.all(
					Array.from({ length: 50 }, async () => {
						const reader = await open(address, Math.random() < 0.5 ? (await room.latest())?.id : undefined)
						await sleep(Math.random() * 20)
						reader.close()
						await reader.ended
					})
				)
			}
			publishing = false
			await publisher
			await until(() => room.subscribers === 0 && backend.live === 0, 'every subscriber to leave', 5000)
			await until(() => backend.live === 0, 'the live subscription to end', 5000)
			expect(room.subscribers).toBe(0)
		}, 60_000)
	})
}


/**
 * A store restarted mid-stream: a channel on `backend` is served to one reader while a publisher
 * that never pauses numbers its events; the store is stopped (publish must be refused with
 * `Unavailable`, promptly) and started again. Checks that the reader got exactly what the store
 * kept (`kept`, in its order), and returns how many publishes succeeded.
 */
export async function restartMidStream(options: {
	backend: Backend
	store: { stop(): Promise<void>; start(): Promise<void> }
	Unavailable: new (...args: never[]) => Error
	kept(): Promise<Array<{ id: string; data: string }>>
	/**
	 * Whether the backend tells live subscribers of an outage while nothing is published (Redis
	 * does, its reads fail; Postgres learns of one only when a NOTIFY makes it read, and nothing
	 * is published while its store is down).
	 */
	reportsIdleOutage?: boolean
}): Promise<{ published: number; kept: Array<{ id: string; data: string }> }> {
	const { backend, store, Unavailable, reportsIdleOutage = true } = options
	const room = channel<{ n: number }>('restart', { backend })
	// the outage reaches every member's onerror; the stream and the listener stay subscribed (the
	// backend goes on from where it was), and events() ends with the error, as its doc says
	const streamErrors: unknown[] = []
	const listenerErrors: unknown[] = []
	const server = await serve((request) => room.produce(request, { ping: false, onerror: (error) => void streamErrors.push(error) }))
	const reader = await open(`${server.url}/`)
	const heard: number[] = []
	const unsubscribe = room.subscribe((event) => void heard.push(Number(event.data)), { onerror: (error) => void listenerErrors.push(error) })
	const iterating = new AbortController()
	const iterated = (async () => {
		try {
			for await (const event of room.events({ signal: iterating.signal })) void event
			return 'ended without an error'
		} catch (error) {
			return error
		}
	})()
	try {
		await until(() => room.subscribers === 3, 'the subscribers', 5000)
		let n = 0
		let publishing = true
		const refusals: number[] = []
		const publisher = (async () => {
			while (publishing) {
				const started = Date.now()
				try {
					await room.publish('n', n + 1)
					n++
				} catch (error) {
					expect(error).toBeInstanceOf(Unavailable)
					refusals.push(Date.now() - started)
					await sleep(20)
				}
				await new Promise((resolve) => setImmediate(resolve))
			}
		})()
		await until(() => n >= 50, 'events before the restart', 5000)
		await store.stop()
		await until(() => refusals.length >= 3, 'publish to be refused while the store is down', 5000)
		if (reportsIdleOutage) {
			await until(() => streamErrors.length > 0 && listenerErrors.length > 0, 'the outage reported to the members', 5000)
			expect(await iterated).toBeInstanceOf(Error)
		}
		await store.start()
		const before = n
		await until(() => n >= before + 50, 'events after the restart', 10_000)
		publishing = false
		await publisher
		const stored = await options.kept()
		await until(() => received([reader]).length >= stored.length, 'every kept event', 10_000)
		expect(received([reader])).toEqual(stored)
		await until(() => heard.length >= stored.length, 'every kept event to the listener', 10_000)
		expect(heard).toEqual(stored.map((event) => Number(event.data)))
		// a refusal never waited for ever: at most the timeout, and some slack
		expect(Math.max(...refusals)).toBeLessThan(2000)
		return { published: n, kept: stored }
	} finally {
		iterating.abort()
		unsubscribe()
		reader.close()
		await server.close()
	}
}

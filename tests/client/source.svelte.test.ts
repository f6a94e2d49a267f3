import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import { Source, source, SourceError } from '../../src/lib/index.js'
import { endpoints, type Endpoints, type Route } from './server.js'
import { sleep, until } from '../helpers/wait.js'

let server: Endpoints
const cleanups: Array<() => void> = []

beforeEach(async () => {
	server = await endpoints()
})
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) cleanup()
	vi.restoreAllMocks()
	vi.unstubAllGlobals()
	await server.close()
})

/** Runs `fn` inside an `$effect.root`, destroyed after the test unless destroyed before. */
function root(fn: () => void): () => void {
	const destroy = $effect.root(fn)
	let destroyed = false
	const once = () => {
		if (!destroyed) destroy()
		destroyed = true
	}
	cleanups.push(once)
	return once
}

/** A source whose connection is closed after the test. */
function make<E extends Record<string, unknown> = Record<string, string>>(path: string, options?: ConstructorParameters<typeof Source>[1]) {
	const sse = new Source<E>(server.url + path, options)
	cleanups.push(() => sse.close())
	return sse
}

describe('Source', () => {
	it('updates current inside $effect.root as events arrive', async () => {
		const sse = make('/clock')
		const clock = sse.select('tick')
		const seen: Array<string | undefined> = []
		root(() => {
			$effect(() => {
				seen.push(clock.current)
			})
		})
		flushSync()
		await until(() => server.open('/clock') === 1, 'the stream to open')
		server.emit('/clock', 'tick', 'one')
		await until(() => clock.current === 'one', 'the first tick')
		server.emit('/clock', 'tick', 'two')
		await until(() => clock.current === 'two', 'the second tick')
		flushSync()
		expect(seen).toEqual([undefined, 'one', 'two'])
		expect(sse.status).toBe('open')
	})

	it('does not connect until something reads, and disconnects when nothing does', async () => {
		const sse = make('/lazy')
		const selection = sse.select()
		await sleep(100)
		expect(server.seen.get('/lazy')).toBeUndefined()
		const destroy = root(() => {
			$effect(() => {
				void selection.current
			})
		})
		flushSync()
		await until(() => server.open('/lazy') === 1, 'the lazy stream to open')
		destroy()
		await until(() => server.stopped.get('/lazy') === 1, 'the server to see the disconnect')
		expect(sse.status).toBe('idle')
		expect(server.seen.get('/lazy')).toHaveLength(1)
	})

	it('connects when an effect reads only status', async () => {
		const sse = make('/status')
		const statuses: string[] = []
		root(() => {
			$effect(() => {
				statuses.push(sse.status)
			})
		})
		flushSync()
		await until(() => sse.status === 'open', 'status open')
		flushSync()
		// reading status is what connects, so the first value read is already 'connecting'
		expect(statuses.filter((status, i) => status !== statuses[i - 1])).toEqual(['connecting', 'open'])
	})

	it('connects at once and stays connected with lazy: false', async () => {
		const sse = make('/eager', { lazy: false })
		await until(() => server.open('/eager') === 1, 'the eager stream to open')
		expect(sse.select().current).toBeUndefined()
		server.emit('/eager', 'message', 'hi')
		await until(() => sse.select().current === 'hi', 'an event without any reader')
		sse.close()
		await until(() => server.stopped.get('/eager') === 1, 'close() to end the stream')
		expect(sse.status).toBe('closed')
	})

	it('notifies once per event, identical values included, through latest and listen', async () => {
		const sse = make('/same')
		const selection = sse.select('same')
		const latest: unknown[] = []
		const listened: string[] = []
		const stored: Array<string | undefined> = []
		root(() => {
			$effect(() => {
				if (selection.latest) latest.push(selection.latest)
			})
		})
		cleanups.push(selection.listen((value) => listened.push(value)))
		cleanups.push(selection.subscribe((value) => stored.push(value)))
		flushSync()
		await until(() => server.open('/same') === 1, 'the stream to open')
		for (let i = 0; i < 3; i++) server.emit('/same', 'same', 'x')
		await until(() => listened.length === 3, 'three events')
		flushSync()
		expect(listened).toEqual(['x', 'x', 'x'])
		expect(new Set(latest).size).toBe(latest.length)
		expect(latest.length).toBeGreaterThanOrEqual(1)
		// the store contract: called at once, then only when the value differs
		expect(stored).toEqual([undefined, 'x'])
	})

	it('calls subscribe for every differing event of a burst, without coalescing', async () => {
		const sse = make('/burst')
		const stored: Array<string | undefined> = []
		cleanups.push(sse.select().subscribe((value) => stored.push(value)))
		await until(() => server.open('/burst') === 1, 'the stream to open')
		for (let i = 0; i < 50; i++) server.emit('/burst', 'message', String(i))
		await until(() => stored.length === 51, '50 events')
		expect(stored).toEqual([undefined, ...Array.from({ length: 50 }, (_, i) => String(i))])
	})

	it('reconnects after the server ends the stream, sending and honouring last-event-id', async () => {
		server.close()
		server = await endpoints({
			'/resume': (_request, { stream }) =>
				stream((emit, lastEventId) => {
					const from = lastEventId ? Number(lastEventId) + 1 : 1
					for (let id = from; id < from + 3; id++) emit('message', `event ${id}`, { id: String(id) })
				}, { retry: 10 })
		})
		const sse = make('/resume', { reconnect: { initialDelay: 10 } })
		const received: string[] = []
		cleanups.push(sse.select().listen((value) => received.push(value)))
		await until(() => received.length === 3, 'the first three events')
		server.end('/resume')
		await until(() => received.length === 6, 'three more after reconnecting')
		const requests = server.seen.get('/resume')!
		expect(requests[0]!.headers.get('last-event-id')).toBeNull()
		expect(requests[1]!.headers.get('last-event-id')).toBe('3')
		expect(received).toEqual(['event 1', 'event 2', 'event 3', 'event 4', 'event 5', 'event 6'])
		expect(sse.lastEventId).toBe('6')
	})

	it('starts from the lastEventId option', async () => {
		const sse = make('/from', { lastEventId: '41' })
		sse.connect()
		await until(() => server.seen.get('/from')?.length === 1, 'a request')
		expect(server.seen.get('/from')![0]!.headers.get('last-event-id')).toBe('41')
	})

	it('sends accept and cache-control headers', async () => {
		make('/headers').connect()
		await until(() => server.seen.get('/headers'), 'a request')
		const { headers } = server.seen.get('/headers')![0]!
		expect(headers.get('accept')).toBe('text/event-stream')
		expect(headers.get('cache-control')).toBe('no-cache')
	})

	it('calls a headers function afresh for every attempt', async () => {
		let calls = 0
		const sse = make('/token', { headers: () => ({ authorization: `Bearer ${++calls}` }), reconnect: { initialDelay: 5 } })
		sse.connect()
		await until(() => server.open('/token') === 1, 'the first stream')
		server.end('/token')
		await until(() => server.seen.get('/token')?.length === 2 && server.open('/token') === 1, 'the second stream')
		server.end('/token')
		await until(() => server.seen.get('/token')?.length === 3, 'the third request')
		expect(server.seen.get('/token')!.map((r) => r.headers.get('authorization'))).toEqual(['Bearer 1', 'Bearer 2', 'Bearer 3'])
		expect(calls).toBe(3)
	})

	it('sends a POST body, and a plain object as JSON', async () => {
		const sse = make('/post', { method: 'POST', body: { prompt: 'hello' } })
		sse.connect()
		await until(() => server.seen.get('/post'), 'a request')
		const [request] = server.seen.get('/post')!
		expect(request!.method).toBe('POST')
		expect(request!.headers.get('content-type')).toBe('application/json')
		expect(JSON.parse(request!.body)).toEqual({ prompt: 'hello' })
	})

	it('closes for good on 204, without an error', async () => {
		server.close()
		server = await endpoints({ '/done': () => new Response(null, { status: 204 }) })
		const sse = make('/done', { reconnect: { initialDelay: 5 } })
		sse.connect()
		await until(() => sse.status === 'closed', 'closed')
		await sleep(100)
		expect(sse.error).toBeNull()
		expect(server.seen.get('/done')).toHaveLength(1)
	})

	it('stops on 401 with the status in error', async () => {
		server.close()
		server = await endpoints({ '/private': () => new Response('no', { status: 401 }) })
		const errors: SourceError[] = []
		const sse = make('/private', { reconnect: { initialDelay: 5 }, onerror: (error) => errors.push(error) })
		sse.connect()
		await until(() => sse.status === 'closed', 'closed')
		await sleep(100)
		expect(sse.error).toBeInstanceOf(SourceError)
		expect(sse.error!.status).toBe(401)
		expect(sse.error!.kind).toBe('http')
		expect(errors).toEqual([sse.error])
		expect(server.seen.get('/private')).toHaveLength(1)
	})

	it('retries on 503 and opens when the server recovers', async () => {
		server.close()
		server = await endpoints({
			'/flaky': (_request, { count, stream }) =>
				count <= 2 ? new Response('busy', { status: 503 }) : stream((emit) => emit('message', 'back'))
		})
		const errors: Array<number | undefined> = []
		const sse = make('/flaky', { reconnect: { initialDelay: 5 }, onerror: (error) => errors.push(error.status) })
		const message = sse.select()
		cleanups.push(message.subscribe(() => {}))
		await until(() => message.current === 'back', 'the stream after two 503s')
		expect(errors).toEqual([503, 503])
		expect(sse.error).toBeNull()
		expect(sse.status).toBe('open')
		expect(server.seen.get('/flaky')).toHaveLength(3)
	})

	it('waits at least Retry-After on 429', async () => {
		server.close()
		server = await endpoints({
			'/limited': (_request, { count, stream }) =>
				count === 1 ? new Response('slow down', { status: 429, headers: { 'retry-after': '2' } }) : stream()
		})
		const delays: number[] = []
		const sse = make('/limited', {
			reconnect: ({ delay }) => {
				delays.push(delay)
				return 0
			}
		})
		sse.connect()
		await until(() => sse.status === 'open', 'open after the 429')
		expect(delays).toHaveLength(1)
		expect(delays[0]).toBeGreaterThanOrEqual(2000)
	})

	it('waits Retry-After under the default policy', async () => {
		server.close()
		server = await endpoints({
			'/retry-after': (_request, { count, stream }) =>
				count === 1 ? new Response('busy', { status: 503, headers: { 'retry-after': '1' } }) : stream()
		})
		vi.spyOn(Math, 'random').mockReturnValue(0)
		const sse = make('/retry-after')
		const started = Date.now()
		sse.connect()
		await until(() => sse.status === 'open', 'open after the 503', 5000)
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
		expect(server.seen.get('/retry-after')).toHaveLength(2)
	})

	it('keeps retrying when onerror throws, and reports what it threw', async () => {
		server.close()
		server = await endpoints({
			'/throwing': (_request, { count, stream }) => (count === 1 ? new Response('busy', { status: 503 }) : stream())
		})
		const reported: unknown[] = []
		vi.stubGlobal('reportError', (error: unknown) => void reported.push(error))
		const sse = make('/throwing', {
			reconnect: () => 0,
			onerror: () => {
				throw new Error('a broken handler')
			}
		})
		sse.connect()
		await until(() => sse.status === 'open', 'open after the 503')
		expect(reported).toEqual([new Error('a broken handler')])
	})

	it('leaves no online listener when onerror closes the source', async () => {
		server.close()
		server = await endpoints({ '/close-in-onerror': () => new Response('busy', { status: 503 }) })
		const listening = new Set<unknown>()
		vi.spyOn(window, 'addEventListener').mockImplementation((type, listener) => void (type === 'online' && listening.add(listener)))
		vi.spyOn(window, 'removeEventListener').mockImplementation((type, listener) => void (type === 'online' && listening.delete(listener)))
		const sse: Source = make('/close-in-onerror', { onerror: () => sse.close() })
		sse.connect()
		await until(() => sse.status === 'closed', 'closed by onerror')
		await sleep(50)
		expect(listening.size).toBe(0)
		expect(server.seen.get('/close-in-onerror')).toHaveLength(1)
	})

	it('reconnects at once on connect() while waiting to retry', async () => {
		const sse = make('/retry-now', { reconnect: { initialDelay: 60_000 } })
		vi.spyOn(Math, 'random').mockReturnValue(1)
		sse.connect()
		await until(() => server.open('/retry-now') === 1, 'the stream')
		server.end('/retry-now')
		await until(() => sse.status === 'connecting', 'waiting to retry')
		await sleep(50)
		expect(server.seen.get('/retry-now')).toHaveLength(1)
		sse.connect()
		await until(() => server.seen.get('/retry-now')?.length === 2, 'the reconnect')
	})

	it('connect({ lazy: true }) undoes close() without keeping the connection open', async () => {
		const sse = make('/relazy')
		sse.close()
		const stop = root(() => {
			$effect(() => void sse.select().current)
		})
		flushSync()
		await sleep(50)
		expect(server.seen.get('/relazy')).toBeUndefined()
		sse.connect({ lazy: true })
		await until(() => server.open('/relazy') === 1, 'the stream for the reader')
		stop()
		await until(() => server.stopped.get('/relazy') === 1, 'the stream to close with its last reader')
		expect(sse.status).toBe('idle')
	})

	it('fails on a wrong content-type', async () => {
		server.close()
		server = await endpoints({ '/html': () => new Response('<html>', { headers: { 'content-type': 'text/html' } }) })
		const sse = make('/html')
		sse.connect()
		await until(() => sse.status === 'closed', 'closed')
		expect(sse.error!.kind).toBe('content-type')
		expect(sse.error!.message).toContain('text/html')
	})

	it('reports a network error and keeps retrying', async () => {
		const url = server.url
		await server.close()
		const errors: SourceError[] = []
		const sse = new Source(url + '/gone', { reconnect: { initialDelay: 5 }, onerror: (error) => errors.push(error) })
		cleanups.push(() => sse.close())
		sse.connect()
		await until(() => errors.length >= 2, 'two network errors')
		expect(errors[0]!.kind).toBe('network')
		expect(sse.status).toBe('connecting')
		expect(sse.attempt).toBeGreaterThanOrEqual(2)
		server = await endpoints()
	})

	it('closes after a network error when reconnect is false', async () => {
		const url = server.url
		await server.close()
		const sse = new Source(url + '/gone', { reconnect: false })
		sse.connect()
		await until(() => sse.status === 'closed', 'closed')
		expect(sse.error!.kind).toBe('network')
		server = await endpoints()
	})

	it('stops reconnecting when the reconnect function returns false', async () => {
		const attempts: number[] = []
		const sse = make('/ends', {
			reconnect: ({ attempt }) => {
				attempts.push(attempt)
				return attempts.length < 3 ? 0 : false
			}
		})
		sse.connect()
		// the first stream ends with no event; the second delivers one before it ends
		await until(() => server.open('/ends') === 1, 'stream 1')
		server.end('/ends')
		await until(() => server.seen.get('/ends')?.length === 2 && server.open('/ends') === 1, 'stream 2')
		server.end('/ends')
		await until(() => server.seen.get('/ends')?.length === 3 && server.open('/ends') === 1, 'stream 3')
		server.emit('/ends', 'message', 'hello')
		await until(() => sse.select().current === 'hello', 'the event of stream 3')
		server.end('/ends')
		await until(() => sse.status === 'closed', 'closed after the policy says no')
		expect(sse.error).toBeNull()
		// a stream that ends without an event does not reset the count; one that delivered an event does
		expect(attempts).toEqual([1, 2, 1])
	})

	it('starts the backoff over after a stream that stayed open a while, events or not', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(1)
		const sse = make('/quiet', { reconnect: { initialDelay: 300 } })
		sse.connect()
		// the first stream ends at once: attempt 1, a wait of 300 ms
		await until(() => server.open('/quiet') === 1 && sse.status === 'open', 'stream 1')
		server.end('/quiet')
		await until(() => sse.status === 'connecting', 'waiting after stream 1')
		expect(sse.attempt).toBe(1)
		// the second stays open, quiet, for longer than that wait: the count starts over
		await until(() => server.open('/quiet') === 1 && sse.status === 'open', 'stream 2', 2000)
		await sleep(400)
		server.end('/quiet')
		await until(() => sse.status === 'connecting', 'waiting after stream 2')
		expect(sse.attempt).toBe(1)
		// the third ends at once again: the count goes on
		await until(() => server.open('/quiet') === 1 && sse.status === 'open', 'stream 3', 2000)
		server.end('/quiet')
		await until(() => sse.status === 'connecting', 'waiting after stream 3')
		expect(sse.attempt).toBe(2)
	})

	it('backs off exponentially with full jitter from the server retry, capped', async () => {
		server.close()
		server = await endpoints({ '/down': () => new Response('down', { status: 503 }) })
		vi.spyOn(Math, 'random').mockReturnValue(1)
		const delays: number[] = []
		const sse = make('/down', {
			reconnect: ({ delay, attempt }) => {
				delays.push(delay)
				return attempt < 8 ? 0 : false
			}
		})
		sse.connect()
		await until(() => sse.status === 'closed', 'the policy to give up')
		expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
		vi.spyOn(Math, 'random').mockReturnValue(0.5)
		delays.length = 0
		const half = make('/down', { reconnect: ({ delay, attempt }) => (delays.push(delay), attempt < 3 ? 0 : false) })
		half.connect()
		await until(() => half.status === 'closed', 'the policy to give up')
		expect(delays).toEqual([500, 1000, 2000])
	})

	it('honours the server retry field as the backoff base', async () => {
		server.close()
		server = await endpoints({ '/retry': (_request, { stream }) => stream(undefined, { retry: 250 }) })
		vi.spyOn(Math, 'random').mockReturnValue(1)
		const delays: number[] = []
		const sse = make('/retry', { reconnect: ({ delay }) => (delays.push(delay), 0) })
		sse.connect()
		await until(() => server.open('/retry') === 1, 'the stream')
		server.end('/retry')
		await until(() => delays.length === 1, 'a reconnect decision')
		expect(delays).toEqual([250])
	})

	it('checks the options of a shared source as it does any other: a RangeError at once', () => {
		// a browser that can share (Web Locks; BroadcastChannel and SHA-256 are Node's own)
		vi.stubGlobal('navigator', Object.create(navigator, { locks: { value: { request: () => new Promise(() => {}) } } }))
		expect(() => make('/shared-bad', { share: true, readTimeout: -1 })).toThrow(RangeError)
		expect(() => make('/shared-bad', { share: true, maxBufferSize: 0 })).toThrow(RangeError)
	})

	it('waits at least the server retry on every attempt, jitter or not', async () => {
		server.close()
		const route: Route = (_request, { count, stream }) => (count === 1 ? stream(undefined, { retry: 250 }) : new Response('down', { status: 503 }))
		server = await endpoints({ '/retry-floor': route, '/retry-floor-half': route })
		vi.spyOn(Math, 'random').mockReturnValue(0)
		const delays: number[] = []
		const sse = make('/retry-floor', { reconnect: ({ delay, attempt }) => (delays.push(delay), attempt < 3 ? 0 : false) })
		sse.connect()
		await until(() => server.open('/retry-floor') === 1, 'the stream')
		server.end('/retry-floor')
		await until(() => sse.status === 'closed', 'the policy to give up')
		expect(delays).toEqual([250, 250, 250])
		// the jitter only adds to it: half way from the server's retry to the ceiling, which doubles from the second attempt
		vi.spyOn(Math, 'random').mockReturnValue(0.5)
		delays.length = 0
		const half = make('/retry-floor-half', { reconnect: ({ delay, attempt }) => (delays.push(delay), attempt < 3 ? 0 : false) })
		half.connect()
		await until(() => server.open('/retry-floor-half') === 1, 'the stream')
		server.end('/retry-floor-half')
		await until(() => half.status === 'closed', 'the policy to give up')
		expect(delays).toEqual([250, 375, 625])
	})

	it('waits the server retry before reconnecting, not less (WHATWG: "wait a delay equal to the reconnection time")', async () => {
		server.close()
		server = await endpoints({ '/retry-wait': (_request, { stream }) => stream(undefined, { retry: 400 }) })
		vi.spyOn(Math, 'random').mockReturnValue(0.1)
		const sse = make('/retry-wait')
		sse.connect()
		await until(() => server.open('/retry-wait') === 1, 'the stream')
		const ended = Date.now()
		server.end('/retry-wait')
		await until(() => server.seen.get('/retry-wait')?.length === 2, 'the reconnect', 3000)
		expect(Date.now() - ended).toBeGreaterThanOrEqual(390)
	})

	it('keeps the id of the last event delivered when a listener closes the source mid-chunk, and resumes from it', async () => {
		server.close()
		server = await endpoints({
			'/burst': (_request, { stream }) =>
				stream((emit) => {
					for (const id of ['1', '2', '3']) emit('message', id, { id })
				})
		})
		const sse = make('/burst')
		const got: string[] = []
		sse.listen((event) => {
			got.push(event.data)
			if (event.data === '1') sse.close()
		})
		sse.connect()
		await until(() => got.length === 1, 'the first event')
		await sleep(50)
		expect(got).toEqual(['1'])
		expect(sse.lastEventId).toBe('1')
		sse.connect()
		await until(() => server.seen.get('/burst')?.length === 2, 'the reconnect')
		expect(server.seen.get('/burst')![1]!.headers.get('last-event-id')).toBe('1')
	})

	it('waits the chosen delay before reconnecting', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(1)
		const sse = make('/wait', { reconnect: { initialDelay: 300 } })
		sse.connect()
		await until(() => server.open('/wait') === 1, 'the stream')
		const ended = Date.now()
		server.end('/wait')
		await until(() => server.seen.get('/wait')?.length === 2, 'the reconnect')
		expect(Date.now() - ended).toBeGreaterThanOrEqual(290)
	})

	it('reconnects at once when the browser comes back online', async () => {
		const sse = make('/online', { reconnect: { initialDelay: 60_000 } })
		vi.spyOn(Math, 'random').mockReturnValue(1)
		sse.connect()
		await until(() => server.open('/online') === 1, 'the stream')
		server.end('/online')
		await until(() => sse.status === 'connecting', 'waiting to retry')
		await sleep(50)
		expect(server.seen.get('/online')).toHaveLength(1)
		window.dispatchEvent(new Event('online'))
		await until(() => server.seen.get('/online')?.length === 2, 'the reconnect after online')
	})
})

describe('source()', () => {
	it('shares one connection, and one reader leaving does not close it for the others', async () => {
		const a = source(server.url + '/shared')
		const b = source(server.url + '/shared')
		cleanups.push(() => a.close())
		expect(a).toBe(b)
		expect(source(server.url + '/shared', { method: 'POST' })).not.toBe(a)
		const first = root(() => {
			$effect(() => void a.select().current)
		})
		const second = root(() => {
			$effect(() => void b.select('other').current)
		})
		flushSync()
		await until(() => server.open('/shared') === 1, 'the shared stream')
		first()
		await sleep(100)
		expect(server.stopped.get('/shared')).toBeUndefined()
		server.emit('/shared', 'other', 'still here')
		await until(() => b.select('other').current === 'still here', 'an event for the remaining reader')
		second()
		await until(() => server.stopped.get('/shared') === 1, 'the last reader to close it')
		expect(server.seen.get('/shared')).toHaveLength(1)
	})
})

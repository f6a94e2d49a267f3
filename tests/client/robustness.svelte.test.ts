import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import { Source, source, SourceError, type Selection } from '../../src/lib/index.js'
import { produce } from '../../src/lib/server.js'
import { endpoints, type Endpoints } from './server.js'
import { serve, type Served } from '../helpers/serve.js'
import { sleep, until } from '../helpers/wait.js'

let server: Endpoints
const cleanups: Array<() => void | Promise<void>> = []

beforeEach(async () => {
	server = await endpoints()
})
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup()
	vi.restoreAllMocks()
	vi.unstubAllGlobals()
	await server.close()
})

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

function make<E extends Record<string, unknown> = Record<string, string>>(url: ConstructorParameters<typeof Source>[0], options?: ConstructorParameters<typeof Source>[1]) {
	const sse = new Source<E>(url, options)
	cleanups.push(() => sse.close())
	return sse
}

async function restart(routes: Parameters<typeof endpoints>[0]) {
	await server.close()
	server = await endpoints(routes)
}

/** Counts unhandled rejections while a test runs. */
function unhandled(): unknown[] {
	const seen: unknown[] = []
	const onRejection = (reason: unknown) => void seen.push(reason)
	process.on('unhandledRejection', onRejection)
	cleanups.push(() => void process.off('unhandledRejection', onRejection))
	return seen
}

describe('Source with getters', () => {
	it('moves to a new url and starts afresh, keeping selections made before', async () => {
		await restart({
			'/a': (_request, { stream }) => stream((emit) => emit('notice', 'from a', { id: 'a1' })),
			'/b': (request, { stream }) => stream((emit) => emit('notice', `from b after ${request.headers.get('last-event-id')}`))
		})
		let path = $state('/a')
		const sse = make(() => server.url + path)
		const notice = sse.select('notice')
		root(() => {
			$effect(() => void notice.current)
		})
		flushSync()
		await until(() => notice.current === 'from a', 'the event of /a')
		path = '/b'
		flushSync()
		await until(() => notice.current === 'from b after null', 'the event of /b, from the start')
		await until(() => server.stopped.get('/a') === 1, 'the old stream to end')
		expect(sse.url).toBe(server.url + '/b')
		expect(sse.status).toBe('open')
	})

	it('resumes from the last event id when only the headers change', async () => {
		await restart({
			'/feed': (request, { stream }) => stream((emit) => emit('notice', `${request.headers.get('x-token')} after ${request.headers.get('last-event-id')}`, { id: 'seven' }))
		})
		let token = $state('one')
		const sse = make(server.url + '/feed', () => ({ headers: { 'x-token': token } }))
		const notice = sse.select('notice')
		root(() => {
			$effect(() => void notice.current)
		})
		flushSync()
		await until(() => notice.current === 'one after null', 'the first stream')
		token = 'two'
		flushSync()
		await until(() => notice.current === 'two after seven', 'the resumed stream with the new token')
		expect(server.seen.get('/feed')).toHaveLength(2)
	})

	it('does not reconnect when the getter returns equal options', async () => {
		let unrelated = $state(0)
		const sse = make(server.url + '/steady', () => (void unrelated, { headers: { 'x-token': 'same' } }))
		root(() => {
			$effect(() => void sse.select().current)
		})
		flushSync()
		await until(() => server.open('/steady') === 1, 'the stream')
		for (let i = 0; i < 5; i++) {
			unrelated++
			flushSync()
			await sleep(5)
		}
		await sleep(50)
		expect(server.seen.get('/steady')).toHaveLength(1)
	})

	it('reads changed getters when it connects again after being idle', async () => {
		let path = $state('/one')
		const sse = make(() => server.url + path)
		let destroy = root(() => {
			$effect(() => void sse.status)
		})
		flushSync()
		await until(() => server.open('/one') === 1, 'the first stream')
		destroy()
		await until(() => sse.status === 'idle', 'idle')
		path = '/two'
		destroy = root(() => {
			$effect(() => void sse.status)
		})
		flushSync()
		await until(() => server.open('/two') === 1, 'the second stream')
		expect(server.seen.get('/one')).toHaveLength(1)
	})
})

describe('Source.listen', () => {
	it('sees every event of every name, in order, and holds the connection', async () => {
		const sse = make(server.url + '/all')
		const seen: string[] = []
		const stop = sse.listen(({ type, data, lastEventId }) => seen.push(`${type}:${data}:${lastEventId}`))
		await until(() => server.open('/all') === 1, 'the stream')
		server.emit('/all', 'tick', '1', 'a')
		server.emit('/all', 'message', 'hi')
		server.emit('/all', 'tick', '1')
		await until(() => seen.length === 3, 'three events')
		expect(seen).toEqual(['tick:1:a', 'message:hi:a', 'tick:1:a'])
		stop()
		await until(() => server.stopped.get('/all') === 1, 'the stream to close once nobody listens')
		expect(sse.status).toBe('idle')
	})

	it('reports what a listener throws and goes on', async () => {
		const reported: unknown[] = []
		vi.stubGlobal('reportError', (error: unknown) => void reported.push(error))
		const sse = make(server.url + '/throws')
		const seen: string[] = []
		sse.listen(() => {
			throw new Error('listener broke')
		})
		sse.listen(({ data }) => seen.push(data))
		await until(() => server.open('/throws') === 1, 'the stream')
		server.emit('/throws', 'message', 'one')
		server.emit('/throws', 'message', 'two')
		await until(() => seen.length === 2, 'both events')
		expect(reported).toEqual([new Error('listener broke'), new Error('listener broke')])
	})
})

describe('readers that stop and start in the same tick', () => {
	it('keep one connection when an effect re-runs for a dependency of its own', async () => {
		const sse = make(server.url + '/steady')
		const ticks = sse.select('tick')
		let unrelated = $state(0)
		root(() => {
			$effect(() => {
				void unrelated
				const stopListening = ticks.listen(() => {})
				const stopSubscribing = ticks.subscribe(() => {})
				const stopAll = sse.listen(() => {})
				return () => {
					stopListening()
					stopSubscribing()
					stopAll()
				}
			})
		})
		flushSync()
		await until(() => server.open('/steady') === 1, 'the stream')
		for (let i = 0; i < 5; i++) {
			unrelated++
			flushSync()
			await sleep(5)
		}
		await sleep(50)
		expect(server.seen.get('/steady')).toHaveLength(1)
	})

	it('keep one connection when a reader stops and another starts, 200 times over', async () => {
		const sse = make(server.url + '/pairs')
		const selection = sse.select()
		let stop = selection.listen(() => {})
		for (let i = 0; i < 200; i++) {
			await sleep(0)
			stop()
			stop = selection.listen(() => {})
		}
		await until(() => server.open('/pairs') === 1, 'the stream')
		expect(server.seen.get('/pairs')).toHaveLength(1)
		stop()
		await until(() => server.stopped.get('/pairs') === 1, 'the stream to close a tick later')
	})
})

describe('delays', () => {
	it('waits a Retry-After longer than a timer can hold instead of retrying at once', async () => {
		await restart({ '/later': () => new Response('later', { status: 503, headers: { 'retry-after': '2592000' } }) })
		const sse = make(server.url + '/later')
		sse.connect()
		await until(() => sse.status === 'connecting' && sse.error !== null, 'the first failure')
		await sleep(500)
		expect(server.seen.get('/later')).toHaveLength(1)
	})

	it('clamps a reconnect function delay and an infinite maxDelay', async () => {
		await restart({ '/down': () => new Response('down', { status: 503 }) })
		const fromFunction = make(server.url + '/down', { reconnect: () => 2 ** 40 })
		fromFunction.connect()
		vi.spyOn(Math, 'random').mockReturnValue(1)
		const infinite = make(server.url + '/down', { reconnect: { initialDelay: 2 ** 40, maxDelay: Infinity } })
		infinite.connect()
		await sleep(500)
		expect(server.seen.get('/down')).toHaveLength(2)
	})

	it('keeps backing off when the server sends retry: 0 and ends at once', async () => {
		await restart({ '/eager': (_request, { stream }) => stream((_emit) => {}, { retry: 0 }) })
		vi.spyOn(Math, 'random').mockReturnValue(1)
		const attempts: number[] = []
		const sse = make(server.url + '/eager', { reconnect: ({ attempt, delay }) => (attempts.push(attempt), delay) })
		root(() => {
			$effect(() => void sse.status)
		})
		flushSync()
		// the server ends every stream as soon as it opens
		const ender = setInterval(() => server.end('/eager'), 1)
		cleanups.push(() => clearInterval(ender))
		await sleep(1000)
		const requests = server.seen.get('/eager')?.length ?? 0
		// with no backoff this was hundreds of requests a second, attempt stuck at 1
		expect(requests).toBeGreaterThan(2)
		expect(requests).toBeLessThan(15)
		expect(Math.max(...attempts)).toBeGreaterThan(2)
	})
})

describe('functions that throw', () => {
	it('ends the source with an options error when the reconnect function throws', async () => {
		const rejections = unhandled()
		const errors: SourceError[] = []
		const sse = make(server.url + '/ends', {
			reconnect: () => {
				throw new Error('policy broke')
			},
			onerror: (error) => errors.push(error)
		})
		sse.connect()
		await until(() => server.open('/ends') === 1, 'the stream')
		server.end('/ends')
		await until(() => sse.status === 'closed', 'the source to end')
		expect(sse.error?.kind).toBe('options')
		expect(sse.error?.message).toContain('policy broke')
		expect(errors.map((error) => error.kind)).toEqual(['options'])
		await sleep(50)
		expect(rejections).toEqual([])
		expect(server.seen.get('/ends')).toHaveLength(1)
	})

	it('reports a headers function that throws as an options error, without retrying', async () => {
		const sse = make(server.url + '/token', {
			headers: () => {
				throw new Error('no token')
			}
		})
		sse.connect()
		await until(() => sse.status === 'closed', 'the source to end')
		expect(sse.error?.kind).toBe('options')
		expect(sse.error?.message).toContain('no token')
		await sleep(100)
		expect(server.seen.get('/token')).toBeUndefined()
	})

	it('reports a body function that throws as an options error', async () => {
		const sse = make(server.url + '/body', {
			method: 'POST',
			body: () => {
				throw new Error('no body')
			}
		})
		sse.connect()
		await until(() => sse.status === 'closed', 'the source to end')
		expect(sse.error?.kind).toBe('options')
		expect(server.seen.get('/body')).toBeUndefined()
	})

	it('refuses options out of range with a RangeError', () => {
		expect(() => new Source(server.url + '/x', { readTimeout: -1 })).toThrow(RangeError)
		expect(() => new Source(server.url + '/x', { maxBufferSize: 0 })).toThrow(RangeError)
		// @ts-expect-error not a redirect policy
		expect(() => new Source(server.url + '/x', { redirect: 'sometimes' })).toThrow(RangeError)
	})
})

describe('redirects', () => {
	let other: Served
	let reached: Request[]
	beforeEach(async () => {
		reached = []
		other = await serve((request) => {
			reached.push(request)
			return produce(({ emit }) => void emit('message', 'from the other origin'), { request })
		})
		await restart({
			'/away': () => new Response(null, { status: 302, headers: { location: other.url + '/stream' } }),
			'/moved': () => new Response(null, { status: 307, headers: { location: '/here' } }),
			'/here': (request, { stream }) => stream((emit) => emit('message', `here after ${request.headers.get('last-event-id')} with ${request.headers.get('x-api-key')}`))
		})
	})
	afterEach(() => other.close())

	it('refuses a redirect to another origin by default, sending nothing there', async () => {
		const sse = make(server.url + '/away', { headers: { 'x-api-key': 'secret' }, lastEventId: 'seven' })
		sse.connect()
		await until(() => sse.status === 'closed', 'the source to end')
		expect(sse.error?.kind).toBe('redirect')
		expect(sse.error?.message).toContain(other.url)
		expect(reached).toEqual([])
	})

	it('follows a redirect within the origin, with its headers', async () => {
		const sse = make(server.url + '/moved', { headers: { 'x-api-key': 'secret' }, lastEventId: 'seven' })
		const message = sse.select()
		sse.connect()
		await until(() => message.current, 'an event')
		expect(message.current).toBe('here after seven with secret')
	})

	it("follows a redirect to another origin with redirect: 'follow'", async () => {
		const sse = make(server.url + '/away', { redirect: 'follow' })
		const message = sse.select()
		sse.connect()
		await until(() => message.current, 'an event')
		expect(message.current).toBe('from the other origin')
	})

	it("refuses every redirect with redirect: 'error'", async () => {
		const sse = make(server.url + '/moved', { redirect: 'error' })
		sse.connect()
		await until(() => sse.status === 'closed', 'the source to end')
		expect(sse.error?.kind).toBe('redirect')
		expect(server.seen.get('/here')).toBeUndefined()
	})
})

describe('requests', () => {
	it('sends a ReadableStream body', async () => {
		await restart({ '/upload': async (request, { stream }) => stream((emit) => void emit('message', `got ${request.headers.get('x-len')}`)) })
		const body = () =>
			new ReadableStream<Uint8Array>({
				start(controller) {
					controller.enqueue(new TextEncoder().encode('streamed '))
					controller.enqueue(new TextEncoder().encode('body'))
					controller.close()
				}
			})
		const sse = make(server.url + '/upload', { method: 'POST', body })
		sse.connect()
		await until(() => server.seen.get('/upload')?.length === 1, 'the request')
		expect(server.seen.get('/upload')![0]!.body).toBe('streamed body')
	})

	it('sends an id beyond Latin-1 as UTF-8 and produce() reads it back exactly', async () => {
		const id = '名-é-😀'
		const heard: string[] = []
		await restart({
			'/ids': (_request, { stream }) =>
				stream((emit, lastEventId) => {
					heard.push(lastEventId)
					emit('message', 'x', { id })
				})
		})
		const sse = make(server.url + '/ids')
		sse.connect()
		await until(() => sse.lastEventId === id, 'the id')
		server.end('/ids')
		await until(() => heard.length === 2, 'the reconnect')
		expect(heard).toEqual(['', id])
		expect(sse.status).not.toBe('closed')
	})

	it('leaves the query string out of error messages', async () => {
		await restart({ '/private': () => new Response('no', { status: 401 }) })
		const sse = make(server.url + '/private?token=secret#frag')
		sse.connect()
		await until(() => sse.status === 'closed', 'the source to end')
		expect(sse.error?.message).toContain('/private')
		expect(sse.error?.message).not.toContain('secret')
	})

	it('takes a 10 MiB event by default', async () => {
		const big = 'x'.repeat(10 * 1024 * 1024)
		await restart({ '/big': (_request, { stream }) => stream((emit) => emit('message', big)) })
		const sse = make(server.url + '/big')
		const message = sse.select()
		sse.connect()
		await until(() => message.current !== undefined || sse.error, 'the event', 10_000)
		expect(sse.error).toBeNull()
		expect(message.current?.length).toBe(big.length)
	})
})

describe('readTimeout', () => {
	it('reconnects a stream that sends nothing at all', async () => {
		await restart({ '/silent': (request, { count }) => (count === 1 ? produce(() => {}, { request, ping: false }) : produce(({ emit }) => void emit('message', 'again'), { request, ping: false })) })
		const sse = make(server.url + '/silent', { readTimeout: 200 })
		const message = sse.select()
		sse.connect()
		await until(() => sse.status === 'open', 'the silent stream')
		const opened = Date.now()
		await until(() => message.current === 'again', 'the reconnect', 3000)
		expect(Date.now() - opened).toBeGreaterThanOrEqual(190)
		expect(server.seen.get('/silent')).toHaveLength(2)
	})

	it('keeps a stream that only sends comments', async () => {
		await restart({ '/pings': (request) => produce(() => {}, { request, ping: 50 }) })
		const sse = make(server.url + '/pings', { readTimeout: 200 })
		sse.connect()
		await until(() => sse.status === 'open', 'the stream')
		await sleep(600)
		expect(server.seen.get('/pings')).toHaveLength(1)
		expect(sse.status).toBe('open')
	})

	it('reports the timeout as an error of kind timeout', async () => {
		await restart({ '/quiet': (request) => produce(() => {}, { request, ping: false }) })
		const errors: SourceError[] = []
		const sse = make(server.url + '/quiet', { readTimeout: 100, reconnect: false, onerror: (error) => errors.push(error) })
		sse.connect()
		await until(() => sse.status === 'closed', 'the source to give up')
		expect(errors.map((error) => error.kind)).toEqual(['timeout'])
	})
})

describe('source() sharing', () => {
	it('never hands out a source that was closed', async () => {
		const first = source(server.url + '/shared-close')
		first.close()
		const second = source(server.url + '/shared-close')
		expect(second).not.toBe(first)
		cleanups.push(() => second.close())
		second.connect()
		await until(() => second.status === 'open', 'the new source to open')
	})

	it('never hands out a source the server closed', async () => {
		await restart({ '/gone': () => new Response(null, { status: 204 }) })
		const first = source(server.url + '/gone')
		cleanups.push(() => first.close())
		first.connect()
		await until(() => first.status === 'closed', 'the 204')
		const second = source(server.url + '/gone')
		cleanups.push(() => second.close())
		expect(second).not.toBe(first)
	})

	it('shares one source whatever onerror and lazy each caller passes, and calls every onerror', async () => {
		await restart({ '/denied': () => new Response('no', { status: 401 }) })
		const seen: string[] = []
		const a = source(server.url + '/denied', { onerror: () => seen.push('a') })
		const b = source(server.url + '/denied', { onerror: () => seen.push('b'), lazy: false })
		cleanups.push(() => a.close())
		expect(b).toBe(a)
		// lazy: false from any caller connects the shared source
		await until(() => a.status === 'closed', 'the 401')
		expect(seen.sort()).toEqual(['a', 'b'])
	})
})

describe('Selection', () => {
	it('gives json(fn) and transform(fn) with the same function different selections', async () => {
		const sse = make(server.url + '/same-fn')
		const fn = (value: unknown) => value
		const json = sse.select().json(fn as never)
		const transformed = sse.select().transform(fn)
		expect(json).not.toBe(transformed)
		root(() => {
			$effect(() => {
				void json.current
				void transformed.current
			})
		})
		flushSync()
		await until(() => server.open('/same-fn') === 1, 'the stream')
		server.emit('/same-fn', 'message', '{"n":1}')
		await until(() => transformed.current !== undefined, 'the event')
		expect(transformed.current).toBe('{"n":1}')
		expect(json.current).toEqual({ n: 1 })
	})

	it('types an async transform by what it resolves to', async () => {
		const sse = make(server.url + '/async')
		const length = sse.select().transform(async (text) => text.length)
		expectTypeOf(length).toEqualTypeOf<Selection<number>>()
		root(() => {
			$effect(() => void length.current)
		})
		flushSync()
		await until(() => server.open('/async') === 1, 'the stream')
		server.emit('/async', 'message', 'four')
		await until(() => length.current !== undefined, 'the resolved value')
		expect(length.current).toBe(4)
	})
})

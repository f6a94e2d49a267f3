/**
 * The bytes produce() writes, read straight from the Response body: each emit is one chunk,
 * so most tests read chunk by chunk after the opening comment.
 */
import { describe, expect, it, vi } from 'vitest'
import {
	produce,
	ProtocolError,
	StreamClosedError,
	type EmitResult,
	type ProduceOptions,
	type StartContext
} from '$lib/server.js'
import { BodyReader } from './helpers.js'

const OPENER = ':\n\n'

/** Runs `body` as the start function and returns everything the stream wrote. */
async function wire(body: (context: StartContext) => void, options: ProduceOptions = {}): Promise<string> {
	const response = produce(
		(context) => {
			body(context)
			context.lock.set(false)
		},
		{ ping: false, ...options }
	)
	return new BodyReader(response.body).rest()
}

/** Everything after the opening comment. */
async function events(body: (context: StartContext) => void, options: ProduceOptions = {}): Promise<string> {
	const text = await wire(body, options)
	expect(text.startsWith(OPENER)).toBe(true)
	return text.slice(OPENER.length)
}

describe('produce', () => {
	describe('opening the stream', () => {
		it('writes a comment at once, before any event, so clients see the stream open', async () => {
			const response = produce(() => {}, { ping: false })
			const reader = new BodyReader(response.body)
			expect(await reader.next()).toBe(':\n\n')
			await reader.cancel()
		})

		it('writes retry: first when options.retry is set', async () => {
			const response = produce(() => {}, { ping: false, retry: 3000 })
			const reader = new BodyReader(response.body)
			expect(await reader.next()).toBe('retry: 3000\n\n')
			await reader.cancel()
		})

		it('refuses a retry that is not a non-negative integer', () => {
			expect(() => produce(() => {}, { retry: -1 })).toThrow(ProtocolError)
			expect(() => produce(() => {}, { retry: 1.5 })).toThrow(ProtocolError)
		})

		it('refuses a ping interval or queue limit out of range', () => {
			expect(() => produce(() => {}, { ping: -5 })).toThrow(RangeError)
			expect(() => produce(() => {}, { ping: 2 ** 31 })).toThrow(RangeError)
			expect(() => produce(() => {}, { maxQueuedBytes: 0 })).toThrow(RangeError)
		})
	})

	describe('emit', () => {
		it('writes a simple event as event and data lines', async () => {
			expect(await events(({ emit }) => emit('message', 'hello'))).toBe('event: message\ndata: hello\n\n')
		})

		it('writes the id before the event name', async () => {
			expect(await events(({ emit }) => emit('tick', 'x', { id: '7' }))).toBe('id: 7\nevent: tick\ndata: x\n\n')
		})

		it('never splits an event across chunks, and sends a burst together in order', async () => {
			const response = produce(
				({ emit, lock }) => {
					for (let i = 0; i < 1000; i++) emit('tick', `line ${i}\nsecond line`, { id: String(i) })
					lock.set(false)
				},
				{ ping: false }
			)
			const reader = new BodyReader(response.body)
			const chunks: string[] = []
			for (let chunk = await reader.next(); chunk !== undefined; chunk = await reader.next()) chunks.push(chunk)
			expect(chunks[0]).toBe(OPENER)
			for (const chunk of chunks) expect(chunk.endsWith('\n\n')).toBe(true)
			let expected = OPENER
			for (let i = 0; i < 1000; i++) expected += `id: ${i}\nevent: tick\ndata: line ${i}\ndata: second line\n\n`
			expect(chunks.join('')).toBe(expected)
		})

		it('sends an event emitted while the client waits without another read', async () => {
			const response = produce(({ emit }) => void setTimeout(() => emit('later', 'x'), 20), { ping: false })
			const reader = new BodyReader(response.body)
			expect(await reader.next()).toBe(OPENER)
			expect(await reader.next()).toBe('event: later\ndata: x\n\n')
			await reader.cancel()
		})

		it('serialises non-string data with JSON.stringify', async () => {
			const text = await events(({ emit }) => {
				emit('object', { a: 1, b: [true, null] })
				emit('number', 42)
				emit('null', null)
				emit('quoted', JSON.stringify('already json'))
			})
			expect(text).toBe(
				'event: object\ndata: {"a":1,"b":[true,null]}\n\n' +
					'event: number\ndata: 42\n\n' +
					'event: null\ndata: null\n\n' +
					'event: quoted\ndata: "already json"\n\n'
			)
		})

		it('sends a string as it is, without JSON quotes', async () => {
			expect(await events(({ emit }) => emit('message', '"hi"'))).toBe('event: message\ndata: "hi"\n\n')
		})

		it('writes one data line per line, whatever the line ending (LF, CRLF, CR)', async () => {
			const text = await events(({ emit }) => {
				emit('lf', 'a\nb')
				emit('crlf', 'a\r\nb')
				emit('cr', 'a\rb')
				emit('mixed', 'a\nb\r\nc\rd')
			})
			expect(text).toBe(
				'event: lf\ndata: a\ndata: b\n\n' +
					'event: crlf\ndata: a\ndata: b\n\n' +
					'event: cr\ndata: a\ndata: b\n\n' +
					'event: mixed\ndata: a\ndata: b\ndata: c\ndata: d\n\n'
			)
		})

		it('keeps empty lines of data, including a trailing line break', async () => {
			expect(await events(({ emit }) => emit('m', 'a\n\nb\n'))).toBe('event: m\ndata: a\ndata:\ndata: b\ndata:\n\n')
		})

		it('writes empty data as one empty data line', async () => {
			expect(await events(({ emit }) => emit('empty', ''))).toBe('event: empty\ndata:\n\n')
		})

		it('returns { error: false } for an event it queued', async () => {
			let result: EmitResult | undefined
			await wire(({ emit }) => (result = emit('message', 'ok')))
			expect(result).toMatchObject({ error: false })
		})

		for (const [label, bad] of [
			['CR', 'a\rb'],
			['LF', 'a\nb'],
			['CRLF', 'a\r\nb'],
			['NUL', 'a\0b']
		] as const) {
			it(`refuses an event name containing ${label}, writing nothing`, async () => {
				let result: EmitResult | undefined
				const text = await events(({ emit }) => {
					result = emit(bad, 'data')
					emit('after', 'still open')
				})
				expect(result?.error).toBeInstanceOf(ProtocolError)
				expect(result?.error && result.error.message).toMatch(/CR, LF or NUL/)
				expect(text).toBe('event: after\ndata: still open\n\n')
			})

			it(`refuses an id containing ${label}, writing nothing`, async () => {
				let result: EmitResult | undefined
				const text = await events(({ emit }) => {
					result = emit('message', 'data', { id: bad })
					emit('after', 'still open')
				})
				expect(result?.error).toBeInstanceOf(ProtocolError)
				expect(text).toBe('event: after\ndata: still open\n\n')
			})
		}

		const unserialisable: Array<[string, unknown]> = [
			['undefined', undefined],
			['a function', () => {}],
			['a symbol', Symbol('s')],
			['a BigInt', 10n],
			['a cyclic object', (() => {
				const cycle: Record<string, unknown> = {}
				cycle.self = cycle
				return cycle
			})()]
		]
		for (const [label, data] of unserialisable) {
			it(`returns an error for ${label} as data, writing nothing`, async () => {
				let result: EmitResult | undefined
				const text = await events(({ emit }) => {
					result = emit('message', data)
					emit('after', 'still open')
				})
				expect(result?.error).toBeInstanceOf(ProtocolError)
				expect(result?.error && result.error.message).toMatch(/cannot be serialised as JSON/)
				expect(text).toBe('event: after\ndata: still open\n\n')
			})
		}

		it('returns a StreamClosedError after the stream ended, writing nothing', async () => {
			let result: EmitResult | undefined
			const text = await events(({ emit, lock }) => {
				emit('before', 'x')
				lock.set(false)
				result = emit('after', 'y')
			})
			expect(result?.error).toBeInstanceOf(StreamClosedError)
			expect(result?.error).toMatchObject({ reason: 'unlocked' })
			expect(text).toBe('event: before\ndata: x\n\n')
		})
	})

	describe('keep-alive', () => {
		it('pings with an SSE comment, never an event', async () => {
			const response = produce(() => {}, { ping: 10 })
			const reader = new BodyReader(response.body)
			expect(await reader.next()).toBe(OPENER)
			expect(await reader.next()).toBe(': ping\n\n')
			expect(await reader.next()).toBe(': ping\n\n')
			await reader.cancel()
		})

		it('does not ping when ping is false or 0', async () => {
			for (const ping of [false, 0] as const) {
				const response = produce(({ emit }) => void setTimeout(() => emit('late', 'x'), 60), { ping })
				const reader = new BodyReader(response.body)
				expect(await reader.next()).toBe(OPENER)
				expect(await reader.next()).toBe('event: late\ndata: x\n\n')
				await reader.cancel()
			}
		})

		it('clears its ping timer when the stream ends, however it ends', async () => {
			vi.useFakeTimers()
			try {
				const unlocked = produce(({ lock }) => void setTimeout(() => lock.set(false), 5_000), { ping: 1000 })
				expect(vi.getTimerCount()).toBe(2)
				await vi.advanceTimersByTimeAsync(5_000)
				expect(vi.getTimerCount()).toBe(0)
				void unlocked

				const cancelled = produce(() => {}, { ping: 1000 })
				expect(vi.getTimerCount()).toBe(1)
				await cancelled.body?.cancel()
				expect(vi.getTimerCount()).toBe(0)
			} finally {
				vi.useRealTimers()
			}
		})
	})

	describe('headers', () => {
		it('sends the event-stream defaults', () => {
			const response = produce(() => {}, { ping: false })
			expect(response.status).toBe(200)
			expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
			expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
			expect(response.headers.get('x-accel-buffering')).toBe('no')
			void response.body?.cancel()
		})

		it('sends no connection header (forbidden in HTTP/2, managed by the server in HTTP/1.1)', () => {
			const response = produce(() => {}, { ping: false })
			expect(response.headers.has('connection')).toBe(false)
			void response.body?.cancel()
		})

		it('merges options.headers over the defaults', () => {
			const response = produce(() => {}, {
				ping: false,
				headers: { 'Cache-Control': 'no-store', 'x-custom': 'yes' }
			})
			expect(response.headers.get('cache-control')).toBe('no-store')
			expect(response.headers.get('x-custom')).toBe('yes')
			expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
			void response.body?.cancel()
		})

		it('accepts a Headers object and keeps repeated values', () => {
			const headers = new Headers()
			headers.append('set-cookie', 'a=1')
			headers.append('set-cookie', 'b=2')
			const response = produce(() => {}, { ping: false, headers })
			expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
			void response.body?.cancel()
		})
	})

	describe('lastEventId', () => {
		it("is the request's Last-Event-ID header", async () => {
			let seen: string | undefined
			const request = new Request('http://localhost/events', { headers: { 'Last-Event-ID': '42' } })
			await wire(({ lastEventId }) => (seen = lastEventId), { request })
			expect(seen).toBe('42')
		})

		it('decodes the header as UTF-8, as browsers send it', async () => {
			const id = '名-é-😀'
			// Headers hold one character per byte: the UTF-8 bytes arrive as Latin-1 characters
			const bytes = String.fromCharCode(...new TextEncoder().encode(id))
			let seen: string | undefined
			await wire(({ lastEventId }) => (seen = lastEventId), { request: new Request('http://localhost/events', { headers: { 'Last-Event-ID': bytes } }) })
			expect(seen).toBe(id)
		})

		it('keeps a header that is not UTF-8 as it came', async () => {
			let seen: string | undefined
			await wire(({ lastEventId }) => (seen = lastEventId), { request: new Request('http://localhost/events', { headers: { 'Last-Event-ID': 'caf\u00e9' } }) })
			expect(seen).toBe('café')
		})

		it('is empty when the header is absent', async () => {
			let seen: string | undefined
			await wire(({ lastEventId }) => (seen = lastEventId), { request: new Request('http://localhost/events') })
			expect(seen).toBe('')
		})

		it('is empty without options.request', async () => {
			let seen: string | undefined
			await wire(({ lastEventId }) => (seen = lastEventId))
			expect(seen).toBe('')
		})
	})
})

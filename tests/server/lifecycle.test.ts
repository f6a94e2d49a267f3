/**
 * produce() behind a real node:http server (tests/helpers/serve.ts, the way adapter-node runs
 * a +server.ts), with real clients: fetch, and a raw socket that never reads.
 */
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
	produce,
	QueueFullError,
	StreamClosedError,
	type EmitResult,
	type Lock,
	type StartContext,
	type StopReason
} from '$lib/server.js'
import { serve, type Handler, type Served } from '../helpers/serve.js'
import { BodyReader, deferred, macrotask, recorder, until, within } from './helpers.js'

const servers: Served[] = []
const sockets: Socket[] = []

afterEach(async () => {
	for (const socket of sockets.splice(0)) socket.destroy()
	await Promise.all(servers.splice(0).map((served) => served.close()))
})

async function start(handler: Handler): Promise<string> {
	const served = await serve(handler)
	servers.push(served)
	return served.url
}

/** Connects and returns a reader for the body, plus the controller that aborts the request. */
async function open(url: string, headers: Record<string, string> = {}) {
	const abort = new AbortController()
	const response = await fetch(url, { signal: abort.signal, headers })
	return { response, reader: new BodyReader(response.body), abort }
}

describe('produce', () => {
	it('delivers each event as it is emitted, not when the stream ends', async () => {
		const secondMayGo = deferred()
		const url = await start(() =>
			produce(
				async ({ emit, lock }) => {
					emit('first', 'one')
					await secondMayGo.promise
					emit('second', 'two')
					lock.set(false)
				},
				{ ping: false }
			)
		)
		const { reader } = await open(url)
		// the server only emits the second event once the client has read the first
		expect(await reader.until('event: first')).toBe(':\n\nevent: first\ndata: one\n\n')
		secondMayGo.resolve()
		expect(await reader.rest()).toBe(':\n\nevent: first\ndata: one\n\nevent: second\ndata: two\n\n')
	})

	describe('when the client disconnects', () => {
		it('runs stop and the returned cleanup exactly once each, in under a second, without waiting for a ping', async () => {
			const stop = recorder<[StopReason]>()
			const cleanup = recorder<[StopReason]>()
			let context: { signal: AbortSignal; lock: Lock; emit: (e: string, d: unknown) => EmitResult } | undefined
			// no options.request: only the body's cancellation can tell produce the client left
			const url = await start(() =>
				produce(
					(ctx) => {
						context = ctx
						ctx.emit('hello', 'there')
						return cleanup.fn
					},
					{ ping: false, stop: stop.fn }
				)
			)
			const { reader, abort } = await open(url)
			await reader.until('event: hello')

			const before = performance.now()
			abort.abort()
			await within(Promise.all([stop.first, cleanup.first]), 5_000, 'stop and cleanup')
			const latency = performance.now() - before
			console.log(`disconnect -> stop: ${latency.toFixed(1)} ms`)
			expect(latency).toBeLessThan(1000)

			await macrotask()
			expect(stop.calls).toEqual([['disconnected']])
			expect(cleanup.calls).toEqual([['disconnected']])
			expect(context?.signal.aborted).toBe(true)
			let locked: boolean | undefined
			context?.lock.subscribe((value) => (locked = value))()
			expect(locked).toBe(false)
			const after = context?.emit('late', 'x')
			expect(after?.error).toBeInstanceOf(StreamClosedError)
			expect(after?.error).toMatchObject({ reason: 'disconnected' })
		})

		it('ends through options.request.signal as well, and aborts the signal given to start', async () => {
			const stop = recorder<[StopReason]>()
			const aborted = deferred()
			const url = await start((request) =>
				produce(
					({ signal }) => {
						signal.addEventListener('abort', () => aborted.resolve())
					},
					{ ping: false, stop: stop.fn, request }
				)
			)
			const { reader, abort } = await open(url)
			await reader.until(':\n\n')
			const before = performance.now()
			abort.abort()
			await within(Promise.all([stop.first, aborted.promise]), 5_000, 'stop and the abort signal')
			const latency = performance.now() - before
			console.log(`disconnect -> stop (with request): ${latency.toFixed(1)} ms`)
			expect(latency).toBeLessThan(1000)
			await macrotask()
			expect(stop.calls).toEqual([['disconnected']])
		})

		it('runs a cleanup that an async start returns after the client already left, at once', async () => {
			const stop = recorder<[StopReason]>()
			const cleanup = recorder<[StopReason]>()
			const finishStart = deferred()
			const url = await start(() =>
				produce(
					async () => {
						await finishStart.promise
						return cleanup.fn
					},
					{ ping: false, stop: stop.fn }
				)
			)
			const { reader, abort } = await open(url)
			await reader.until(':\n\n')
			abort.abort()
			await within(stop.first, 5_000, 'stop')
			expect(cleanup.calls).toEqual([])
			finishStart.resolve()
			await within(cleanup.first, 5_000, 'the late cleanup')
			await macrotask()
			expect(cleanup.calls).toEqual([['disconnected']])
			expect(stop.calls).toEqual([['disconnected']])
		})
	})

	describe('lock', () => {
		it('ends the stream on lock.set(false), delivering what was emitted; later emits return an error', async () => {
			const stop = recorder<[StopReason]>()
			const cleanup = recorder<[StopReason]>()
			const unlocked = deferred<EmitResult>()
			const url = await start(() =>
				produce(
					({ emit, lock }) => {
						emit('message', 'hello world')
						setTimeout(() => {
							lock.set(false)
							unlocked.resolve(emit('message', 'too late'))
						}, 20)
						return cleanup.fn
					},
					{ ping: false, stop: stop.fn }
				)
			)
			const { reader } = await open(url)
			expect(await within(reader.rest(), 5_000, 'the end of the body')).toBe(
				':\n\nevent: message\ndata: hello world\n\n'
			)
			const late = await unlocked.promise
			expect(late.error).toBeInstanceOf(StreamClosedError)
			expect(late.error && late.error.message).toMatch(/lock\.set\(false\)/)
			expect(stop.calls).toEqual([['unlocked']])
			expect(cleanup.calls).toEqual([['unlocked']])
		})

		it('behaves as a Svelte store: subscribe runs at once, then when the stream ends', async () => {
			const seen: boolean[] = []
			let lock: Lock | undefined
			const response = produce(
				(context) => {
					lock = context.lock
					context.lock.subscribe((value) => seen.push(value))
				},
				{ ping: false }
			)
			expect(seen).toEqual([true])
			lock?.set(true)
			expect(seen).toEqual([true])
			lock?.update((value) => !value)
			expect(seen).toEqual([true, false])
			expect(await new BodyReader(response.body).rest()).toBe(':\n\n')
		})
	})

	describe('when start fails', () => {
		it('ends the stream after a sync throw, runs stop and reports through onerror', async () => {
			const stop = recorder<[StopReason]>()
			const onerror = recorder<[unknown]>()
			const boom = new Error('boom')
			const url = await start(() =>
				produce(
					({ emit }) => {
						emit('message', 'before the throw')
						throw boom
					},
					{ ping: false, stop: stop.fn, onerror: onerror.fn }
				)
			)
			const { reader } = await open(url)
			expect(await within(reader.rest(), 5_000, 'the end of the body')).toBe(
				':\n\nevent: message\ndata: before the throw\n\n'
			)
			expect(onerror.calls).toEqual([[boom]])
			expect(stop.calls).toEqual([['error']])
		})

		it('ends the stream after an async rejection, runs stop and reports through onerror', async () => {
			const stop = recorder<[StopReason]>()
			const onerror = recorder<[unknown]>()
			const boom = new Error('async boom')
			let signal: AbortSignal | undefined
			const url = await start(() =>
				produce(
					async (context) => {
						signal = context.signal
						context.emit('message', 'before the rejection')
						await macrotask()
						throw boom
					},
					{ ping: false, stop: stop.fn, onerror: onerror.fn }
				)
			)
			const { reader } = await open(url)
			expect(await within(reader.rest(), 5_000, 'the end of the body')).toBe(
				':\n\nevent: message\ndata: before the rejection\n\n'
			)
			expect(onerror.calls).toEqual([[boom]])
			expect(stop.calls).toEqual([['error']])
			expect(signal?.aborted).toBe(true)
		})

		it('reports to console.error with a [svelte-sse] prefix when there is no onerror', async () => {
			const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
			try {
				const boom = new Error('unheard')
				const response = produce(
					async () => {
						throw boom
					},
					{ ping: false }
				)
				await new BodyReader(response.body).rest()
				expect(spy).toHaveBeenCalledTimes(1)
				expect(spy.mock.calls[0]?.[0]).toMatch(/^\[svelte-sse\]/)
				expect(spy.mock.calls[0]).toContain(boom)
			} finally {
				spy.mockRestore()
			}
		})

		it('reports errors thrown by stop and by the cleanup instead of letting them escape', async () => {
			const onerror = recorder<[unknown]>()
			const response = produce(
				({ lock }) => {
					setTimeout(() => lock.set(false), 5)
					return async () => {
						throw new Error('cleanup failed')
					}
				},
				{
					ping: false,
					onerror: onerror.fn,
					stop() {
						throw new Error('stop failed')
					}
				}
			)
			await new BodyReader(response.body).rest()
			await macrotask()
			expect(onerror.calls.map(([error]) => (error as Error).message).sort()).toEqual([
				'cleanup failed',
				'stop failed'
			])
		})
	})

	it('ends when options.request.signal aborts, while the client is still connected', async () => {
		const stop = recorder<[StopReason]>()
		const serverSide = new AbortController()
		const url = await start((request) =>
			produce(({ emit }) => void emit('message', 'hi'), {
				ping: false,
				stop: stop.fn,
				request: { headers: request.headers, signal: serverSide.signal }
			})
		)
		const { reader } = await open(url)
		await reader.until('data: hi')
		serverSide.abort()
		await within(reader.rest(), 5_000, 'the end of the body')
		expect(stop.calls).toEqual([['disconnected']])
	})

	it('never runs stop twice when several endings race', async () => {
		const stop = recorder<[StopReason]>()
		const onerror = recorder<[unknown]>()
		const serverSide = new AbortController()
		const results: EmitResult[] = []
		const response: Response = produce(
			async ({ emit, lock }) => {
				await macrotask()
				// everything at once: the request aborts, the client cancels, the lock opens,
				// the queue overflows, a ping is due and start throws
				serverSide.abort()
				void response.body?.cancel().catch(() => {}) // rejects: the abort errored the stream first
				lock.set(false)
				results.push(emit('big', 'x'.repeat(64)), emit('big', 'x'.repeat(64)))
				queueMicrotask(() => lock.set(false))
				throw new Error('and start fails too')
			},
			{
				ping: 1,
				maxQueuedBytes: 16,
				stop: stop.fn,
				onerror: onerror.fn,
				request: { headers: new Headers(), signal: serverSide.signal }
			}
		)
		await within(stop.first, 5_000, 'stop')
		await new Promise((resolve) => setTimeout(resolve, 20))
		expect(stop.calls).toHaveLength(1)
		expect(onerror.calls).toHaveLength(1)
		expect(results.map((result) => result.error)).toEqual([expect.any(StreamClosedError), expect.any(StreamClosedError)])
	})

	it('never runs the cleanup twice when it arrives after the stream ended and more endings follow', async () => {
		const stop = recorder<[StopReason]>()
		const cleanup = recorder<[StopReason]>()
		let lock: Lock | undefined
		const response = produce(
			async (context) => {
				lock = context.lock
				context.lock.set(false)
				await macrotask()
				return cleanup.fn
			},
			{ ping: false, stop: stop.fn }
		)
		await within(cleanup.first, 5_000, 'the late cleanup')
		lock?.set(false)
		await response.body?.cancel()
		await new Promise((resolve) => setTimeout(resolve, 20))
		expect(cleanup.calls).toEqual([['unlocked']])
		expect(stop.calls).toEqual([['unlocked']])
	})

	describe('bounded memory', () => {
		it('refuses an event that would take the queue past maxQueuedBytes, ending the stream', async () => {
			const stop = recorder<[StopReason]>()
			const results: EmitResult[] = []
			let signal: AbortSignal | undefined
			const response = produce(
				(context) => {
					signal = context.signal
					// nobody reads this body: 100-byte events fill a 1000-byte queue
					for (let i = 0; i < 20; i++) results.push(context.emit('m', 'x'.repeat(100 - 'event: m\ndata: \n\n'.length)))
				},
				{ ping: false, maxQueuedBytes: 1000, stop: stop.fn }
			)
			expect(results.slice(0, 10).every((result) => result.error === false)).toBe(true)
			expect(results[10]?.error).toBeInstanceOf(QueueFullError)
			expect(String(results[10]?.error)).toMatch(/stopped reading.*1000 bytes/)
			expect(results[11]?.error).toBe(results[10]?.error)
			expect(stop.calls).toEqual([['queue-full']])
			expect(signal?.aborted).toBe(true)
			// the queue was dropped: the body ends cleanly with none of it, only the opening comment
			await expect(new BodyReader(response.body).rest()).resolves.toBe(':\n\n')
		})

		it('accepts one event larger than maxQueuedBytes when nothing else is waiting', async () => {
			const big = 'x'.repeat(5000)
			let first: EmitResult | undefined
			let second: EmitResult | undefined
			const response = produce(
				({ emit }) => {
					first = emit('big', big)
					second = emit('small', 'y')
				},
				{ ping: false, maxQueuedBytes: 1000 }
			)
			expect(first?.error).toBe(false)
			expect(second?.error).toBeInstanceOf(QueueFullError)
			await new BodyReader(response.body).rest().catch(() => {})
		})

		it('ready() resolves at once while less than half the limit waits, then once the waiting events are read', async () => {
			let context: StartContext | undefined
			const response = produce((ctx) => void (context = ctx), { ping: false, maxQueuedBytes: 1000 })
			const { emit, ready } = context!
			expect(await ready()).toEqual({ value: undefined, error: false })
			emit('m', 'x'.repeat(600))
			let resolved: EmitResult | undefined
			void ready().then((result) => (resolved = result))
			await macrotask()
			await macrotask()
			expect(resolved).toBeUndefined()
			const reader = new BodyReader(response.body)
			await reader.until('x'.repeat(600))
			await until(() => resolved !== undefined, 'ready() to resolve')
			expect(resolved).toEqual({ value: undefined, error: false })
			await reader.cancel()
		})

		it('hands a consumer that fell behind whole events in chunks of at most 64 KiB, not all that waits at once', async () => {
			const event = 'é'.repeat(40) + 'x'.repeat(20)
			const framed = new TextEncoder().encode(`event: m\ndata: ${event}\n\n`).length
			const count = 8000 // ≈ 0.8 MB, under the default 1 MiB limit
			const response = produce(
				({ emit }) => {
					for (let i = 0; i < count; i++) if (emit('m', event).error) throw new Error(`event ${i} was refused`)
				},
				{ ping: false }
			)
			const reader = response.body!.getReader()
			const decoder = new TextDecoder()
			const sizes: number[] = []
			let text = ''
			for (;;) {
				const { done, value } = await reader.read()
				if (done) break
				sizes.push(value.length)
				const chunk = decoder.decode(value, { stream: true })
				expect(chunk.endsWith('\n\n')).toBe(true)
				text += chunk
				if (text.split('\n\n').length - 2 === count) break
			}
			await reader.cancel()
			expect(text.split('\n\n').length - 2).toBe(count)
			// the opener, then pieces of 64 KiB each (the last one smaller)
			expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(64 * 1024 + framed)
			expect(sizes.length).toBeGreaterThanOrEqual(1 + Math.floor((count * framed) / (64 * 1024 + framed)))
		})

		it('ready() waits until less than half the limit is left, when the consumer takes the queue a piece at a time', async () => {
			let context: StartContext | undefined
			const response = produce((ctx) => void (context = ctx), { ping: false, maxQueuedBytes: 400 * 1024 })
			const { emit, ready } = context!
			for (let i = 0; i < 3000; i++) emit('m', 'x'.repeat(90)) // 300 KB: over half the limit
			let resolved: EmitResult | undefined
			void ready().then((result) => (resolved = result))
			const reader = response.body!.getReader()
			await reader.read() // the opener
			await reader.read() // one 64 KiB piece: 236 KB still wait, over the 200 KiB half
			await macrotask()
			expect(resolved).toBeUndefined()
			await reader.read() // and another: now under half
			await until(() => resolved !== undefined, 'ready() to resolve')
			expect(resolved).toEqual({ value: undefined, error: false })
			await reader.cancel()
		})

		it('ready() resolves (never rejects) with a StreamClosedError once the stream has ended', async () => {
			let context: StartContext | undefined
			const response = produce((ctx) => void (context = ctx), { ping: false, maxQueuedBytes: 1000 })
			context!.emit('m', 'x'.repeat(600))
			const waiting = context!.ready()
			await response.body?.cancel()
			expect((await waiting).error).toBeInstanceOf(StreamClosedError)
			expect((await context!.ready()).error).toMatchObject({ reason: 'disconnected' })
		})

		it('ends the stream with a QueueFullError when a client stops reading, keeping RSS bounded', async () => {
			const EVENT = 'x'.repeat(1024)
			const TOTAL = 100_000
			const limit = 1024 * 1024
			const stop = recorder<[StopReason]>()
			const finished = deferred<{ sent: number; result: EmitResult }>()
			let peak = 0
			const url = await start(() =>
				produce(
					async ({ emit }) => {
						for (let sent = 0; sent < TOTAL; sent++) {
							const result = emit('message', EVENT)
							if (result.error) return finished.resolve({ sent, result })
							// yield now and then so the server can write to the socket, as a real
							// producer would between bursts; the client still never reads
							if (sent % 64 === 0) {
								peak = Math.max(peak, process.memoryUsage.rss())
								await macrotask()
							}
						}
						finished.resolve({ sent: TOTAL, result: { value: undefined, error: false } })
					},
					{ ping: false, stop: stop.fn }
				)
			)
			;(globalThis as { gc?: () => void }).gc?.()
			const baseline = process.memoryUsage.rss()
			peak = baseline
			const { port } = new URL(url)
			const socket = connect(Number(port), '127.0.0.1')
			sockets.push(socket)
			socket.pause()
			socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n')

			const { sent, result } = await within(finished.promise, 30_000, 'emit to fail')
			const growth = peak - baseline
			console.log(
				`stalled reader: emit failed after ${sent} events (${(sent / 1024).toFixed(1)} MiB); ` +
					`RSS growth ${(growth / 1024 / 1024).toFixed(1)} MiB (baseline ${(baseline / 1024 / 1024).toFixed(0)} MiB)`
			)
			expect(sent).toBeLessThan(TOTAL)
			expect(result.error).toBeInstanceOf(QueueFullError)
			expect(result.error).toMatchObject({ reason: 'queue-full', limit })
			await within(stop.first, 5_000, 'stop')
			expect(stop.calls).toEqual([['queue-full']])
			expect(growth).toBeLessThan(limit + 32 * 1024 * 1024)
		})

		it('lets a producer that waits on ready() send 100 000 events to a slow but reading client', async () => {
			const EVENT = 'y'.repeat(1024)
			const TOTAL = 100_000
			const failures: unknown[] = []
			let waits = 0
			const url = await start(() =>
				produce(
					async ({ emit, ready, lock }) => {
						for (let i = 0; i < TOTAL; i++) {
							const sent = emit('message', EVENT, { id: String(i) })
							if (sent.error) return void failures.push(sent.error)
							const room = ready()
							const { error } = await room
							if (error) return void failures.push(error)
							waits++
						}
						lock.set(false)
					},
					// a small limit, so that a producer that did not wait would overflow it
					{ ping: false, maxQueuedBytes: 64 * 1024 }
				)
			)
			const response = await fetch(url)
			const reader = response.body!.getReader()
			const eventBytes = new TextEncoder().encode(`id: 0\nevent: message\ndata: ${EVENT}\n\n`).length
			let bytes = 0
			let chunks = 0
			let tail = ''
			for (;;) {
				const { done, value } = await reader.read()
				if (done) break
				bytes += value.byteLength
				tail = (tail + new TextDecoder().decode(value.subarray(-2048))).slice(-2048)
				// slow: the client takes a break after every chunk it reads
				if (++chunks % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
			}
			const idBytes = Array.from({ length: TOTAL }, (_, i) => String(i).length - 1).reduce((a, b) => a + b, 0)
			expect(failures).toEqual([])
			expect(waits).toBe(TOTAL)
			expect(bytes).toBe(3 + TOTAL * eventBytes + idBytes)
			expect(tail).toMatch(/id: 99999\nevent: message\ndata: y+\n\n$/)
		}, 60_000)
	})
})

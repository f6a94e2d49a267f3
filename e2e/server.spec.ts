/**
 * produce() on real servers: the endpoints of the e2e app (e2e/app, never part of the docs site)
 * under `vite preview` (project "app-preview") and its adapter-node build (project "app-node").
 *
 * No browser: the streams are read with node:http and node:net, so the test sees exactly what
 * went over the wire and controls when the client reads and leaves. The server's side of each
 * story (when an event was emitted, when and why `stop` ran, its memory) comes from
 * /status/[id].
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import { expect, test, type TestInfo } from '@playwright/test'

/** What /status/[id] returns; mirrors `Run` in e2e/app/src/lib/registry.ts. */
interface Run {
	kind: string
	startedAt: number
	emitted: Record<string, number>
	stop?: { at: number; reason: string }
	produced?: Record<string, string>
	flood?: {
		accepted: number
		error?: { name: string; message: string }
		rssBefore: number
		rssPeak: number
		samples: number
		done: boolean
		elapsed?: number
	}
}

interface Message {
	event: string
	data: string
}

const MiB = 1024 * 1024

function base(testInfo: TestInfo): URL {
	const url = testInfo.project.use.baseURL
	if (url === undefined) throw new Error(`Project ${testInfo.project.name} has no baseURL`)
	return new URL(url)
}

let counter = 0
function streamId(testInfo: TestInfo): string {
	return `${testInfo.project.name}-${process.pid}-${Date.now()}-${++counter}`
}

/** What the server recorded about stream `id`; `undefined` while it has not seen the request. */
async function peek(testInfo: TestInfo, id: string): Promise<Run | undefined> {
	const response = await fetch(new URL(`/status/${id}`, base(testInfo)))
	if (response.status === 404) return undefined
	expect(response.status, `status of ${id}`).toBe(200)
	return (await response.json()) as Run
}

async function status(testInfo: TestInfo, id: string): Promise<Run> {
	const run = await peek(testInfo, id)
	if (run === undefined) throw new Error(`The server has no record of ${id}`)
	return run
}

/**
 * Asks for the status of `id` until `done` accepts it, for at most `timeout` ms. A stream the
 * server has not seen yet (a raw request still in flight) counts as not done.
 */
async function pollStatus(testInfo: TestInfo, id: string, done: (run: Run) => boolean, timeout = 5000): Promise<Run> {
	const deadline = Date.now() + timeout
	for (;;) {
		const run = await peek(testInfo, id)
		if (run !== undefined && done(run)) return run
		if (Date.now() > deadline) throw new Error(`Timed out waiting on ${id}: ${JSON.stringify(run)}`)
		await new Promise((resolve) => setTimeout(resolve, 10))
	}
}

/** Opens a GET on a fresh connection (no agent, so no pooled socket outlives the test). */
function open(url: URL): Promise<{ req: ClientRequest; res: IncomingMessage }> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(url, { agent: false, headers: { accept: 'text/event-stream' } })
		req.once('response', (res) => resolve({ req, res }))
		req.once('error', reject)
		req.end()
	})
}

/**
 * A deliberately small reader of the event-stream format, independent of the library's own
 * parser: the spec should not check the library against itself. Only what the endpoints send.
 */
class Reader {
	text = ''
	comments: string[] = []
	messages: Message[] = []
	ended = false
	#offset = 0
	#waiters: Array<() => void> = []

	constructor(res: IncomingMessage) {
		res.setEncoding('utf8')
		res.on('data', (chunk: string) => {
			this.text += chunk
			this.#parse()
			this.#notify()
		})
		res.on('end', () => {
			this.ended = true
			this.#notify()
		})
		res.on('close', () => {
			this.ended = true
			this.#notify()
		})
	}

	#parse(): void {
		for (;;) {
			const end = this.text.indexOf('\n\n', this.#offset)
			if (end === -1) return
			const block = this.text.slice(this.#offset, end)
			this.#offset = end + 2
			let event = 'message'
			const data: string[] = []
			for (const line of block.split('\n')) {
				if (line.startsWith(':')) this.comments.push(line)
				else if (line.startsWith('event: ')) event = line.slice(7)
				else if (line.startsWith('data: ')) data.push(line.slice(6))
			}
			if (data.length > 0) this.messages.push({ event, data: data.join('\n') })
		}
	}

	#notify(): void {
		for (const wake of this.#waiters.splice(0)) wake()
	}

	/** Resolves once `ready()` holds (checked after every chunk), rejects after `timeout` ms. */
	until(ready: () => boolean, what: string, timeout = 5000): Promise<void> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}; got ${JSON.stringify(this.text)}`)), timeout)
			const check = () => {
				if (ready()) {
					clearTimeout(timer)
					resolve()
				} else if (this.ended) {
					clearTimeout(timer)
					reject(new Error(`The stream ended before ${what}; got ${JSON.stringify(this.text)}`))
				} else {
					this.#waiters.push(check)
				}
			}
			check()
		})
	}

	message(event: string): Message | undefined {
		return this.messages.find((message) => message.event === event)
	}
}

function summary(values: number[]): { min: number; median: number; max: number } {
	const sorted = [...values].sort((a, b) => a - b)
	const middle = sorted.length >> 1
	const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
	return { min: sorted[0], median, max: sorted[sorted.length - 1] }
}

test.describe('produce() on a real server', () => {
	test('delivers each event as it is emitted, not buffered', async ({}, testInfo) => {
		const id = streamId(testInfo)
		const url = new URL(`/incremental/${id}`, base(testInfo))
		const { req, res } = await open(url)
		try {
			const reader = new Reader(res)
			await reader.until(() => reader.message('first') !== undefined, 'event "first"')
			const receivedFirstAt = Date.now()

			// The server holds `second` back until we release it: if `first` had been buffered
			// with it, we would not have `first` yet, and the server says it has not sent `second`.
			const before = await status(testInfo, id)
			expect(before.emitted.first).toBeLessThanOrEqual(receivedFirstAt)
			expect(before.emitted.second, 'second was emitted before first arrived').toBeUndefined()
			expect(reader.message('second')).toBeUndefined()

			const released = await fetch(url, { method: 'POST' })
			expect(released.status).toBe(204)
			await reader.until(() => reader.message('second') !== undefined, 'event "second"')
			const second = JSON.parse(reader.message('second')!.data) as { at: number }
			expect(second.at).toBeGreaterThanOrEqual(receivedFirstAt)
			expect(reader.messages.map((message) => message.event)).toEqual(['first', 'second'])

			// lock.set(false) after `second` ends the response cleanly
			await reader.until(() => reader.ended, 'the end of the stream')
			const after = await pollStatus(testInfo, id, (run) => run.stop !== undefined)
			expect(after.stop?.reason).toBe('unlocked')
		} finally {
			req.destroy()
		}
	})

	for (const [how, query] of [
		['with options.request', ''],
		['from the body cancel alone (no options.request)', '?request=none']
	] as const) {
		test(`runs stop within a second of the client disconnecting, ${how}`, async ({}, testInfo) => {
			const latencies: number[] = []
			for (let round = 0; round < 5; round++) {
				const id = streamId(testInfo)
				const { req, res } = await open(new URL(`/disconnect/${id}${query}`, base(testInfo)))
				const reader = new Reader(res)
				await reader.until(() => reader.message('hello') !== undefined, 'event "hello"')
				expect((await status(testInfo, id)).stop, 'the stream ended before the client left').toBeUndefined()

				const disconnectedAt = Date.now()
				req.destroy()
				const run = await pollStatus(testInfo, id, (candidate) => candidate.stop !== undefined, 3000)
				expect(run.stop?.reason).toBe('disconnected')
				const latency = run.stop!.at - disconnectedAt
				expect(latency).toBeLessThan(1000)
				latencies.push(latency)
			}
			const { min, median, max } = summary(latencies)
			console.log(
				`[${testInfo.project.name}] disconnect -> stop latency ${how}, over ${latencies.length} runs: min ${min} ms, median ${median} ms, max ${max} ms (${latencies.join(', ')})`
			)
		})
	}

	test('bounds the memory a client that stops reading can hold', async ({}, testInfo) => {
		test.setTimeout(60_000)
		const id = streamId(testInfo)
		const { hostname, port } = base(testInfo)
		const socket = connect({ host: hostname, port: Number(port) })
		try {
			await new Promise<void>((resolve, reject) => {
				socket.once('connect', resolve)
				socket.once('error', reject)
			})
			// Never read: the kernel's receive buffer fills, then the server's send buffer, then
			// produce()'s queue. (Node cannot shrink a TCP socket's receive buffer, so the kernel
			// buffers add a few hundred KB to what the server accepts; none of it is the server
			// process's memory.)
			socket.pause()
			socket.write(`GET /flood/${id} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`)

			const run = await pollStatus(testInfo, id, (candidate) => candidate.flood?.done === true && candidate.stop !== undefined, 30_000)
			const flood = run.flood!
			const growth = flood.rssPeak - flood.rssBefore
			console.log(
				`[${testInfo.project.name}] flood: ${flood.accepted} emits accepted in ${flood.elapsed} ms, then ${flood.error?.name}: "${flood.error?.message}"; stop: ${run.stop?.reason}; RSS ${(flood.rssBefore / MiB).toFixed(1)} MiB -> peak ${(flood.rssPeak / MiB).toFixed(1)} MiB (growth ${(growth / MiB).toFixed(1)} MiB, ${flood.samples} samples)`
			)

			expect(flood.accepted).toBeGreaterThan(0)
			expect(flood.accepted).toBeLessThan(100_000)
			expect(flood.error?.name).toBe('QueueFullError')
			expect(flood.error?.message).toMatch(/stopped reading.*1048576 bytes.*maxQueuedBytes/)
			expect(run.stop?.reason).toBe('queue-full')
			// The queue itself may hold at most the default maxQueuedBytes (1 MiB). The margin is
			// V8 and allocator noise, not queue: RSS counts pages the heap has touched and not yet
			// given back, and a flood of short-lived 1 KB strings and Uint8Arrays grows the young
			// generation (semi-spaces up to 16-32 MiB on 64-bit) and the malloc arenas before a
			// scavenge runs; the servers also serve the status polls meanwhile. 48 MiB covers that
			// noise and is still far below the ~100 MiB an unbounded queue of 100 000 events holds.
			expect(growth).toBeLessThan(1 * MiB + 48 * MiB)

			// When the client reads again it gets what had already left the queue, and then the
			// server ends the connection: the dropped events are never sent, and the stream does
			// not carry on as if nothing had been lost.
			let received = ''
			socket.setEncoding('latin1')
			socket.on('data', (chunk: string) => (received += chunk))
			const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
			socket.resume()
			await Promise.race([
				closed,
				new Promise((_, reject) => setTimeout(() => reject(new Error(`The server kept the connection open after ${received.length} bytes`)), 10_000))
			])
			const delivered = received.split('event: chunk\n').length - 1
			console.log(`[${testInfo.project.name}] flood: once the client read again, ${delivered} events arrived and then the server closed the connection`)
			expect(received.startsWith('HTTP/1.1 200')).toBe(true)
			expect(delivered).toBeLessThan(flood.accepted)
		} finally {
			socket.destroy()
		}
	})

	test('sends the default headers, and keep-alive pings as comments', async ({}, testInfo) => {
		const id = streamId(testInfo)
		const { req, res } = await open(new URL(`/ping/${id}`, base(testInfo)))
		try {
			expect(res.statusCode).toBe(200)
			expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8')
			expect(res.headers['cache-control']).toBe('no-cache, no-transform')
			expect(res.headers['x-accel-buffering']).toBe('no')
			// nothing between produce() and the socket may compress or length-delimit the stream
			expect(res.headers['content-encoding']).toBeUndefined()
			expect(res.headers['content-length']).toBeUndefined()

			const reader = new Reader(res)
			await reader.until(() => reader.ended, 'the end of the stream (400 ms)')
			// the opener is an empty comment; every ping after it is `: ping`
			expect(reader.text.startsWith(':\n\n')).toBe(true)
			expect(reader.comments.filter((line) => line === ': ping').length).toBeGreaterThanOrEqual(2)
			expect(reader.comments.every((line) => line === ':' || line === ': ping')).toBe(true)
			// a ping is not an event: nothing would reach an EventSource listener
			expect(reader.messages).toEqual([])
			expect(reader.text).toMatch(/^(:\n\n|: ping\n\n)+$/)

			// `connection` is hop-by-hop and belongs to the server: node sets it on HTTP/1.1 itself
			// (`close` here, because this client asked for it; `keep-alive` otherwise), so only
			// check that produce() did not set it (nor transfer-encoding) on its Response.
			const run = await pollStatus(testInfo, id, (candidate) => candidate.stop !== undefined)
			expect(run.stop?.reason).toBe('unlocked')
			expect(run.produced).toEqual({
				'cache-control': 'no-cache, no-transform',
				'content-type': 'text/event-stream; charset=utf-8',
				'x-accel-buffering': 'no'
			})
			console.log(
				`[${testInfo.project.name}] wire headers: ${JSON.stringify(res.headers)}; ${reader.comments.length - 1} pings in 400 ms`
			)
		} finally {
			req.destroy()
		}
	})
})

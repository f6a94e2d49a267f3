/**
 * `produce(start, options)`: one server-sent event stream as a standard `Response`.
 *
 * Web APIs only (ReadableStream, Response, Headers, AbortController, timers), so the same code
 * runs in a SvelteKit `+server.ts` on any adapter and in any Fetch-API server.
 *
 * Emitted events wait in a byte-counted queue of our own until the consumer reads; each read
 * takes everything waiting as one chunk (whole events only). The queue is bounded: a client that
 * stops reading ends its stream instead of growing the server's memory.
 */
import { checkRetry, encodeComment, encodeRetry, formatEvent, ProtocolError, utf8Length } from '../protocol/index.js'

/** The keep-alive interval used when `options.ping` is not given: 15 seconds. */
export const DEFAULT_PING_INTERVAL = 15_000

/** The queue limit used when `options.maxQueuedBytes` is not given: 1 MiB per stream. */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024

// setInterval cannot wait longer than this; Node turns a larger delay into 1 ms.
const MAX_TIMER_DELAY = 2 ** 31 - 1

/**
 * Why a stream ended: the client went away (`'disconnected'`: the body was cancelled or
 * `options.request.signal` aborted), `lock.set(false)` was called (`'unlocked'`), `start`
 * threw or a write failed (`'error'`), or the client stopped reading (`'queue-full'`).
 */
export type StopReason = 'disconnected' | 'unlocked' | 'error' | 'queue-full'

const CLOSED_MESSAGES: Record<StopReason, string> = {
	disconnected: 'The stream is closed: the client disconnected.',
	unlocked: 'The stream is closed: lock.set(false) ended it.',
	error: 'The stream is closed: start() failed or a write to the stream failed.',
	'queue-full': 'The stream is closed: the client stopped reading.'
}

/**
 * Returned by `emit` (and `ready`) once the stream has ended; `reason` says why.
 *
 * @example
 * const { error } = emit('tick', n)
 * if (error instanceof StreamClosedError) return // stop producing
 */
export class StreamClosedError extends Error {
	override name = 'StreamClosedError'
	/** Why the stream ended. */
	readonly reason: StopReason

	constructor(reason: StopReason, message: string = CLOSED_MESSAGES[reason], options?: ErrorOptions) {
		super(message, options)
		this.reason = reason
	}
}

/**
 * The stream ended because more than `maxQueuedBytes` were waiting for a client that stopped
 * reading; the queue was dropped to bound the server's memory.
 */
export class QueueFullError extends StreamClosedError {
	override name = 'QueueFullError'
	/** The limit that was reached, in bytes. */
	readonly limit: number

	constructor(limit: number) {
		super(
			'queue-full',
			`The stream is closed: the client stopped reading and more than ${limit} bytes were waiting to be sent (maxQueuedBytes).`
		)
		this.limit = limit
	}
}

/**
 * A result that carries its error as a value: `{ error: false }` on success, `{ error }` on
 * failure. The same shape as sveltekit-sse's `Unsafe`.
 */
export type Unsafe<T = void, E extends Error = Error> =
	| { readonly value: T; readonly error: false }
	| { readonly value: undefined; readonly error: E }

/**
 * What `emit` and `ready` return: a `ProtocolError` for input that cannot be sent (nothing was
 * written, the stream stays open), a `StreamClosedError` once the stream has ended.
 */
export type EmitResult = Unsafe<void, StreamClosedError | ProtocolError>

/** Per-event options for `emit`. */
export interface EmitOptions {
	/** The event id; the client sends the last one back as `Last-Event-ID` when it reconnects. */
	id?: string
}

/**
 * Sends one event. Never throws: a string is sent as it is, anything else as
 * `JSON.stringify(data)`; the result says whether the event was queued. Queued events leave
 * once the current macrotask is over (or as soon as 64 KiB are waiting), together as one chunk.
 *
 * @example
 * const { error } = emit('price', { symbol: 'ACME', price: 12.5 }, { id: '41' })
 * if (error) return
 */
export type Emit<Events extends EventMap = EventMap> = <Name extends Extract<keyof Events, string>>(event: Name, data: Events[Name], options?: EmitOptions) => EmitResult

/**
 * Event names and the type of their data, e.g. `{ tick: { n: number }; message: string }`: given
 * to `produce<Events>()` or `channel<Events>()`, it checks every `emit` and `publish`, and the
 * same type given to the client's `Source<Events>` types what it receives.
 */
export type EventMap = Record<string, unknown>

/**
 * The stream's lock, a Svelte-store-compatible `Writable<boolean>`: `true` while the stream is
 * open; `set(false)` ends it (queued events are still delivered), and it turns `false` by
 * itself whenever the stream ends for another reason.
 */
export interface Lock {
	/** `set(false)` ends the stream; `set(true)` changes nothing. */
	set(this: void, value: boolean): void
	/** Sets the lock to what `updater` returns for the current value. */
	update(this: void, updater: (value: boolean) => boolean): void
	/** Calls `run` at once with the current value and again when it changes; returns the unsubscriber. */
	subscribe(this: void, run: (value: boolean) => void, invalidate?: () => void): () => void
}

/** Runs once when the stream ends, with the reason it ended. */
export type Cleanup = (reason: StopReason) => void | Promise<void>

/** Everything `start` is given to drive one stream. */
export interface StartContext<Events extends EventMap = EventMap> {
	/** Sends one event; see {@link Emit}. */
	emit: Emit<Events>
	/** The stream's lock; `lock.set(false)` ends the stream. */
	lock: Lock
	/** Aborts as soon as the stream ends, for whatever reason; pass it on or check it in loops. */
	signal: AbortSignal
	/**
	 * The request's `Last-Event-ID` header, decoded from UTF-8 as browsers send it, so it equals
	 * the id that was emitted; `''` when there is none (or no `options.request`).
	 */
	lastEventId: string
	/**
	 * Resolves when the stream can take more, for producers that can pace themselves: at once
	 * while less than half of `maxQueuedBytes` is waiting, otherwise as soon as the waiting
	 * events have been handed to the client. After it resolves with `{ error: false }`, at least
	 * half of `maxQueuedBytes` can be emitted without reaching the limit. Resolves with
	 * `{ error }` once the stream has ended; never rejects.
	 *
	 * @example
	 * for (const row of rows) {
	 *   if (emit('row', row).error || (await ready()).error) return
	 * }
	 */
	ready: () => Promise<EmitResult>
}

/**
 * Starts producing events. It may return (or resolve to) a cleanup function, which runs once
 * when the stream ends; if the stream has already ended by then, it runs at once.
 */
export type Start<Events extends EventMap = EventMap> = (context: StartContext<Events>) => Cleanup | void | Promise<Cleanup | void>

/**
 * An event formatted and encoded once, for many streams (a channel's broadcast): each stream
 * takes the same bytes.
 */
export interface Frame {
	readonly text: string
	readonly bytes: Uint8Array
}

/** @internal What `produce` gives `start` besides the public context: `send` takes a ready frame. */
export interface FrameContext<Events extends EventMap = EventMap> extends StartContext<Events> {
	send(frame: Frame): EmitResult
}

/** Options for {@link produce}. */
export interface ProduceOptions {
	/**
	 * Runs once when the stream ends, whatever ended it (after the cleanup returned by
	 * `start`, if that is known by then).
	 */
	stop?: Cleanup
	/**
	 * Keep-alive interval in milliseconds: an SSE comment (`: ping`) is written this often, so
	 * proxies do not close an idle connection. `0` or `false` disables it. Default
	 * {@link DEFAULT_PING_INTERVAL} (15 000).
	 */
	ping?: number | false
	/** Response headers, merged over the defaults (`content-type`, `cache-control`, `x-accel-buffering`). */
	headers?: HeadersInit
	/** Reconnection delay in milliseconds for the client, written as `retry:` before anything else. */
	retry?: number
	/**
	 * The incoming request: its `signal` ends the stream when it aborts, and its
	 * `Last-Event-ID` header becomes `lastEventId`.
	 */
	request?: Pick<Request, 'headers' | 'signal'>
	/**
	 * The most bytes (UTF-8, as sent) that may wait for a slow client. When an event would take
	 * the queue past it, the client is taken to have stopped reading: the queue is dropped, the
	 * stream ends and `emit` returns a `QueueFullError`. An event larger than the limit is still
	 * accepted when nothing else is waiting. Events leave when the consumer reads, which cannot
	 * happen in the middle of synchronous code, so a burst emitted without yielding must fit in
	 * the limit; pace longer ones with `ready()`. `Infinity` disables the limit. Default
	 * {@link DEFAULT_MAX_QUEUED_BYTES} (1 MiB), per stream.
	 *
	 * The queue is freed and `stop` runs at once; the socket is the server's to close, and
	 * adapter-node closes it only when it next reads the body, which it does once the socket
	 * drains. A client that never reads again keeps its socket and the kernel's buffers (not
	 * the queue) until the operating system gives up on the connection. A producer that waits on
	 * `ready()` never reaches the limit: it waits for as long as the client does not read.
	 */
	maxQueuedBytes?: number
	/**
	 * Receives errors thrown (or rejected) by `start`, by the cleanup, by `stop` and by lock
	 * subscribers. Default: `console.error` with a `[svelte-sse]` prefix.
	 */
	onerror?: (error: unknown) => void
}

const DEFAULT_HEADERS: ReadonlyArray<readonly [string, string]> = [
	['content-type', 'text/event-stream; charset=utf-8'],
	['cache-control', 'no-cache, no-transform'],
	// nginx buffers proxied responses unless told not to, which would hold events back.
	['x-accel-buffering', 'no']
]

const OK: { readonly value: undefined; readonly error: false } = Object.freeze({ value: undefined, error: false })
const READY: Promise<EmitResult> = Promise.resolve(OK)
const PING = ': ping\n\n'
const utf8 = new TextEncoder()
// Once this much is pending for a consumer that is waiting, it goes out without waiting for
// the next macrotask: a chunk size that amortises the per-chunk cost without holding much.
const FLUSH_BYTES = 64 * 1024

type Closed = { readonly value: undefined; readonly error: StreamClosedError }

function reportToConsole(error: unknown): void {
	console.error('[svelte-sse] produce():', error)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
	return (
		(typeof value === 'object' || typeof value === 'function') &&
		value !== null &&
		typeof (value as { then?: unknown }).then === 'function'
	)
}

/**
 * Runs `task` after the current macrotask, so that events emitted in a burst (even one that
 * awaits between events) leave as one chunk. setImmediate where the runtime has it (Node, Bun),
 * because setTimeout(0) waits at least a millisecond there.
 */
const schedule: (task: () => void) => void =
	typeof globalThis.setImmediate === 'function'
		? (task) => void globalThis.setImmediate(task)
		: (task) => void setTimeout(task, 0)

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The request's `Last-Event-ID` as the id that was emitted. Browsers send the id's UTF-8 bytes,
 * and Fetch `Headers` give one Latin-1 character per byte, so the bytes are decoded again; a
 * value that is not valid UTF-8 is kept as it came.
 */
function readLastEventId(request: ProduceOptions['request']): string {
	const value = request?.headers.get('last-event-id') ?? ''
	// eslint-disable-next-line no-control-regex -- ASCII needs no work
	if (/^[\x00-\x7f]*$/.test(value)) return value
	const bytes = new Uint8Array(value.length)
	for (let index = 0; index < value.length; index++) {
		const code = value.charCodeAt(index)
		if (code > 0xff) return value
		bytes[index] = code
	}
	try {
		return strictUtf8.decode(bytes)
	} catch {
		return value
	}
}

/** Serialises non-string data; returns the text or the error result. */
function serialise(data: unknown): string | EmitResult {
	let text: string | undefined
	try {
		text = JSON.stringify(data)
	} catch (cause) {
		const why = cause instanceof Error ? cause.message : String(cause)
		return { value: undefined, error: new ProtocolError(`The data cannot be serialised as JSON: ${why}`, { cause }) }
	}
	if (text === undefined) {
		return {
			value: undefined,
			error: new ProtocolError(`The data cannot be serialised as JSON: JSON.stringify returned undefined for a ${typeof data}.`)
		}
	}
	return text
}

function checkOptions(ping: number | false, limit: number): void {
	if (ping !== false && !(typeof ping === 'number' && ping >= 0 && ping <= MAX_TIMER_DELAY)) {
		throw new RangeError(`ping must be false or a number of milliseconds from 0 to ${MAX_TIMER_DELAY}, got ${String(ping)}.`)
	}
	if (!(typeof limit === 'number' && limit > 0)) {
		throw new RangeError(`maxQueuedBytes must be a positive number of bytes (or Infinity), got ${String(limit)}.`)
	}
}

/**
 * Creates one server-sent event stream and returns it as a `Response`. `start` runs at once
 * with `emit`, `lock`, `signal`, `lastEventId` and `ready`; the stream stays open until
 * `lock.set(false)`, the client leaves, `start` fails or the client stops reading.
 *
 * @throws {ProtocolError} when `options.retry` is not a non-negative integer.
 * @throws {RangeError} when `options.ping` or `options.maxQueuedBytes` is out of range.
 * @example
 * // src/routes/clock/+server.ts
 * export const GET: RequestHandler = ({ request }) =>
 *   produce(({ emit }) => {
 *     const timer = setInterval(() => emit('tick', Date.now()), 1000)
 *     return () => clearInterval(timer)
 *   }, { request })
 */
export function produce<Events extends EventMap = EventMap>(start: Start<Events>, options: ProduceOptions = {}): Response {
	const { stop, request } = options
	const onerror = options.onerror ?? reportToConsole
	const ping = options.ping ?? DEFAULT_PING_INTERVAL
	const limit = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
	checkOptions(ping, limit)
	const opener = options.retry === undefined ? encodeComment() : encodeRetry(checkRetry(options.retry))
	// `ready()` waits while half the limit is queued, so a producer that paces itself always
	// has room for a burst before the hard limit.
	const soft = Math.max(1, limit / 2)
	const flushAt = Math.min(FLUSH_BYTES, soft)

	const headers = new Headers(options.headers)
	for (const [name, value] of DEFAULT_HEADERS) if (!headers.has(name)) headers.set(name, value)

	let controller!: ReadableStreamDefaultController<Uint8Array>
	let closed: Closed | undefined
	let cleanup: Cleanup | undefined
	let cleanupRan = false
	let waiting: Promise<EmitResult> | undefined
	let wakeWaiting: ((result: EmitResult) => void) | undefined
	let timer: ReturnType<typeof setInterval> | undefined
	// Events wait in `pending`, not in the stream's own queue, until the consumer has asked for
	// more and either a macrotask has passed or `flushAt` bytes are waiting; then they go out as
	// one chunk. Writing one chunk per read rather than one per event is what keeps throughput
	// close to a raw write loop: each chunk costs the consumer a read and a socket write.
	// Pending events are kept as text and encoded once per chunk: encoding each event into its
	// own array and copying them together cost about half of emit's time.
	let pending: Array<string | Frame> = []
	let pendingBytes = 0
	let wanted = false
	let scheduled = false
	// Both made on first use: most streams never read `signal` or subscribe to the lock, and each
	// idle connection should cost as little memory as possible.
	let aborter: AbortController | undefined
	let subscribers: Set<{ run: (value: boolean) => void; invalidate?: () => void }> | undefined
	const signal = request?.signal

	function report(error: unknown): void {
		try {
			onerror(error)
		} catch (failure) {
			reportToConsole(failure)
		}
	}

	function guard(fn: Cleanup, reason: StopReason): void {
		try {
			const result = fn(reason)
			if (isThenable(result)) result.then(undefined, report)
		} catch (error) {
			report(error)
		}
	}

	function runCleanup(reason: StopReason): void {
		if (cleanupRan || cleanup === undefined) return
		cleanupRan = true
		guard(cleanup, reason)
	}

	function wake(result: EmitResult): void {
		const resolve = wakeWaiting
		if (resolve === undefined) return
		wakeWaiting = undefined
		waiting = undefined
		resolve(result)
	}

	function onAbort(): void {
		end(new StreamClosedError('disconnected'), 'discard')
	}

	/**
	 * Ends the stream once: `close` lets the client read what is queued, `discard` drops it
	 * (the client is gone or not reading), `none` when the consumer cancelled the body.
	 *
	 * The body is closed, never errored, even when events were dropped: SvelteKit's node
	 * adapter answers a body error with `res.destroy(error)` after removing its own error
	 * listener, and when the socket is already gone that error is uncaught and takes the whole
	 * server down. A clean end tells the client no less: it reconnects either way.
	 */
	function end(error: StreamClosedError, how: 'close' | 'discard' | 'none'): Closed {
		if (closed !== undefined) return closed
		const result: Closed = { value: undefined, error }
		closed = result
		if (timer !== undefined) clearInterval(timer)
		signal?.removeEventListener('abort', onAbort)
		try {
			if (how === 'close' && pendingBytes > 0) controller.enqueue(take())
			if (how !== 'none') controller.close()
		} catch {
			// the consumer cancelled the body in the meantime: nothing left to close
		}
		pending = []
		pendingBytes = 0
		wake(result)
		aborter?.abort(error)
		for (const subscriber of subscribers ? [...subscribers] : []) {
			try {
				subscriber.invalidate?.()
				subscriber.run(false)
			} catch (failure) {
				report(failure)
			}
		}
		runCleanup(error.reason)
		if (stop !== undefined) guard(stop, error.reason)
		return result
	}

	/** Everything pending, as one chunk: a lone frame's own bytes, or the texts encoded together. */
	function take(): Uint8Array {
		const first = pending[0]!
		const chunk =
			pending.length === 1
				? typeof first === 'string'
					? utf8.encode(first)
					: first.bytes
				: utf8.encode(pending.map((part) => (typeof part === 'string' ? part : part.text)).join(''))
		pending = []
		pendingBytes = 0
		return chunk
	}

	/** Hands everything pending to the consumer, who is waiting for it (so nothing queues in the stream). */
	function flush(): void {
		wanted = false
		try {
			controller.enqueue(take())
		} catch (cause) {
			end(new StreamClosedError('error', 'The stream is closed: a write to the stream failed.', { cause }), 'discard')
			return
		}
		wake(OK)
	}

	function flushLater(): void {
		scheduled = false
		if (closed === undefined && wanted && pendingBytes > 0) flush()
	}

	function write(chunk: string | Frame): EmitResult {
		// A frame for a reader that is waiting, with nothing before it: its bytes go out as they
		// are, with no queue to build (a channel's broadcast to thousands of streams does this).
		if (wanted && pendingBytes === 0 && typeof chunk !== 'string') {
			wanted = false
			try {
				controller.enqueue(chunk.bytes)
			} catch (cause) {
				return end(new StreamClosedError('error', 'The stream is closed: a write to the stream failed.', { cause }), 'discard')
			}
			return OK
		}
		const size = typeof chunk === 'string' ? utf8Length(chunk) : chunk.bytes.length
		if (pendingBytes > 0 && pendingBytes + size > limit) return end(new QueueFullError(limit), 'discard')
		pending.push(chunk)
		pendingBytes += size
		if (wanted) {
			// a frame is one whole publish, already encoded: it leaves at once, with no timer
			if (pendingBytes >= flushAt || typeof chunk !== 'string') flush()
			else if (!scheduled) {
				scheduled = true
				schedule(flushLater)
			}
		}
		return OK
	}

	const emit = (event: string, data: unknown, options?: EmitOptions): EmitResult => {
		if (closed !== undefined) return closed
		let text: string
		if (typeof data === 'string') {
			text = data
		} else {
			const serialised = serialise(data)
			if (typeof serialised !== 'string') return serialised
			text = serialised
		}
		let chunk: string
		try {
			chunk = formatEvent({ event, data: text, id: options === undefined ? undefined : options.id })
		} catch (error) {
			return {
				value: undefined,
				error: error instanceof ProtocolError ? error : new ProtocolError(String(error), { cause: error })
			}
		}
		return write(chunk)
	}

	function ready(): Promise<EmitResult> {
		if (closed !== undefined) return Promise.resolve(closed)
		if (pendingBytes < soft) return READY
		waiting ??= new Promise<EmitResult>((resolve) => (wakeWaiting = resolve))
		return waiting
	}

	const lock: Lock = {
		set(value) {
			if (closed === undefined && !value) end(new StreamClosedError('unlocked'), 'close')
		},
		update(updater) {
			lock.set(updater(closed === undefined))
		},
		subscribe(run, invalidate) {
			const subscriber = { run, invalidate }
			;(subscribers ??= new Set()).add(subscriber)
			run(closed === undefined)
			return () => void subscribers?.delete(subscriber)
		}
	}

	const body = new ReadableStream<Uint8Array>(
		{
			start(c) {
				controller = c
			},
			pull() {
				// with a high-water mark of 0, pull means a read is waiting and the stream's queue is empty
				wanted = true
				if (pendingBytes >= flushAt) flush()
				else if (pendingBytes > 0 && !scheduled) {
					scheduled = true
					schedule(flushLater)
				}
			},
			cancel() {
				end(new StreamClosedError('disconnected'), 'none')
			}
		},
		{ highWaterMark: 0 }
	)
	const response = new Response(body, { status: 200, headers })

	controller.enqueue(opener)
	if (signal?.aborted) {
		end(new StreamClosedError('disconnected'), 'discard')
		return response
	}
	signal?.addEventListener('abort', onAbort, { once: true })

	if (ping !== false && ping > 0) {
		timer = setInterval(() => void (closed === undefined && write(PING)), ping)
		// the keep-alive alone should not keep a process alive (Node, Bun, Deno)
		const unref = (timer as { unref?: unknown }).unref
		if (typeof unref === 'function') unref.call(timer)
	}

	function adopt(value: unknown): void {
		if (typeof value !== 'function') return
		cleanup = value as Cleanup
		if (closed !== undefined) runCleanup(closed.error.reason)
	}

	function failed(error: unknown): void {
		report(error)
		end(new StreamClosedError('error', 'The stream is closed: start() failed.', { cause: error }), 'close')
	}

	const context: FrameContext<Events> = {
		emit: emit as Emit<Events>,
		send: (frame) => (closed === undefined ? write(frame) : closed),
		lock,
		get signal() {
			if (!aborter) {
				aborter = new AbortController()
				if (closed !== undefined) aborter.abort(closed.error)
			}
			return aborter.signal
		},
		lastEventId: readLastEventId(request),
		ready
	}
	try {
		const started = start(context)
		if (isThenable(started)) started.then(adopt, failed)
		else adopt(started)
	} catch (error) {
		failed(error)
	}
	return response
}

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
import { checkRetry, encodeComment, encodeRetry, formatSized, ProtocolError, sized } from '../protocol/index.js'

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

/**
 * Everything `start` is given to drive one stream. Destructure what you use
 * (`({ emit, lock }) => ...`) or read it from the object; `emit`, `lock`, `signal` and `ready`
 * are getters, so an object spread (`{ ...context }`) does not copy them.
 */
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
	/** Ends the stream as a full queue does (`QueueFullError`, the queue dropped): its client stopped reading. */
	overflow(): void
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
// The most text one chunk holds (unless one event is larger): once this much is pending for a
// consumer that is waiting, it goes out without waiting for the next macrotask, and what waits
// for a slow consumer is kept in pieces of this size. A chunk this big amortises the per-chunk
// cost (a read, a socket write); a bigger one costs more per byte to encode and to write.
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
 * Calls `task(stream)` after the current macrotask, so that events emitted in a burst (even one
 * that awaits between events) leave as one chunk. setImmediate where the runtime has it (Node,
 * Bun), because setTimeout(0) waits at least a millisecond there. The stream is passed as an
 * argument, so no closure is made per stream.
 */
const schedule: (task: (stream: Stream) => void, stream: Stream) => void =
	typeof globalThis.setImmediate === 'function'
		? (task, stream) => void globalThis.setImmediate(task, stream)
		: (task, stream) => void setTimeout(task, 0, stream)

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

/** A piece of the queue that is full: its text and UTF-8 size. */
interface Segment {
	readonly text: string
	readonly bytes: number
}

/**
 * One stream's state and behaviour. Its methods live on the prototype, so an idle stream costs
 * one object, not a closure per helper; it is also the stream's underlying source (`start`,
 * `pull`, `cancel`) and the request signal's abort listener (`handleEvent`).
 *
 * Events wait in a queue of our own, not in the ReadableStream's, until the consumer has asked
 * for more and either a macrotask has passed or {@link FLUSH_BYTES} are waiting; then they go out
 * as one chunk. One chunk per read rather than one per event is what keeps throughput close to a
 * raw write loop: each chunk costs the consumer a read and a socket write. Events wait as text,
 * appended to one string (a rope, which V8 joins once) and encoded once per chunk; their UTF-8
 * sizes are counted from their parts as they are formatted.
 */
class Stream implements UnderlyingDefaultSource<Uint8Array> {
	controller!: ReadableStreamDefaultController<Uint8Array>
	closed: Closed | undefined = undefined
	cleanup: Cleanup | undefined = undefined
	cleanupRan = false
	waiting: Promise<EmitResult> | undefined = undefined
	wakeWaiting: ((result: EmitResult) => void) | undefined = undefined
	timer: ReturnType<typeof setInterval> | undefined = undefined
	/** Full pieces of the queue, oldest first; the newest text is in `current`. */
	full: Segment[] | undefined = undefined
	current = ''
	currentBytes = 0
	/** The frame `current` holds when it holds exactly one frame and nothing else: its bytes are ready. */
	frame: Frame | undefined = undefined
	pendingBytes = 0
	wanted = false
	scheduled = false
	// Made on first use: most streams never read `signal` or subscribe to the lock, and each idle
	// connection should cost as little memory as possible.
	aborter: AbortController | undefined = undefined
	subscribers: Set<{ run: (value: boolean) => void; invalidate?: () => void }> | undefined = undefined
	readonly options: ProduceOptions
	readonly signal: AbortSignal | undefined
	readonly limit: number
	readonly soft: number
	readonly flushAt: number

	constructor(options: ProduceOptions, limit: number) {
		this.options = options
		this.signal = options.request?.signal
		this.limit = limit
		// `ready()` waits while half the limit is queued, so a producer that paces itself always
		// has room for a burst before the hard limit.
		this.soft = Math.max(1, limit / 2)
		this.flushAt = Math.min(FLUSH_BYTES, this.soft)
	}

	start(controller: ReadableStreamDefaultController<Uint8Array>): void {
		this.controller = controller
	}

	pull(): void {
		// with a high-water mark of 0, pull means a read is waiting and the stream's queue is empty
		this.wanted = true
		if (this.full !== undefined) this.flush()
		else if (this.pendingBytes > 0 && !this.scheduled) {
			this.scheduled = true
			schedule(flushLater, this)
		}
	}

	cancel(): void {
		this.end(new StreamClosedError('disconnected'), 'none')
	}

	/** The request's signal aborted. */
	handleEvent(): void {
		this.end(new StreamClosedError('disconnected'), 'discard')
	}

	report(error: unknown): void {
		try {
			;(this.options.onerror ?? reportToConsole)(error)
		} catch (failure) {
			reportToConsole(failure)
		}
	}

	guard(fn: Cleanup, reason: StopReason): void {
		try {
			const result = fn(reason)
			if (isThenable(result)) result.then(undefined, (error: unknown) => this.report(error))
		} catch (error) {
			this.report(error)
		}
	}

	runCleanup(reason: StopReason): void {
		if (this.cleanupRan || this.cleanup === undefined) return
		this.cleanupRan = true
		this.guard(this.cleanup, reason)
	}

	wake(result: EmitResult): void {
		const resolve = this.wakeWaiting
		if (resolve === undefined) return
		this.wakeWaiting = undefined
		this.waiting = undefined
		resolve(result)
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
	end(error: StreamClosedError, how: 'close' | 'discard' | 'none'): Closed {
		if (this.closed !== undefined) return this.closed
		const result: Closed = { value: undefined, error }
		this.closed = result
		if (this.timer !== undefined) clearInterval(this.timer)
		this.signal?.removeEventListener('abort', this)
		try {
			if (how === 'close') while (this.pendingBytes > 0) this.controller.enqueue(this.take())
			if (how !== 'none') this.controller.close()
		} catch {
			// the consumer cancelled the body in the meantime: nothing left to close
		}
		this.full = undefined
		this.current = ''
		this.currentBytes = 0
		this.frame = undefined
		this.pendingBytes = 0
		this.wake(result)
		this.aborter?.abort(error)
		const subscribers = this.subscribers
		for (const subscriber of subscribers ? [...subscribers] : []) {
			try {
				subscriber.invalidate?.()
				subscriber.run(false)
			} catch (failure) {
				this.report(failure)
			}
		}
		this.runCleanup(error.reason)
		const stop = this.options.stop
		if (stop !== undefined) this.guard(stop, error.reason)
		return result
	}

	/** The oldest piece of the queue, as one chunk: a lone frame's own bytes, or the text encoded. */
	take(): Uint8Array {
		const full = this.full
		if (full !== undefined) {
			const segment = full.shift()!
			if (full.length === 0) this.full = undefined
			this.pendingBytes -= segment.bytes
			return encode(segment.text, segment.bytes)
		}
		const chunk = this.frame !== undefined ? this.frame.bytes : encode(this.current, this.currentBytes)
		this.pendingBytes -= this.currentBytes
		this.current = ''
		this.currentBytes = 0
		this.frame = undefined
		return chunk
	}

	/** Hands the oldest piece of the queue to the consumer, who is waiting for it (so nothing queues in the stream). */
	flush(): void {
		this.wanted = false
		try {
			this.controller.enqueue(this.take())
		} catch (cause) {
			this.end(new StreamClosedError('error', 'The stream is closed: a write to the stream failed.', { cause }), 'discard')
			return
		}
		if (this.pendingBytes < this.soft) this.wake(OK)
	}

	/** Queues `text` of `bytes` UTF-8 bytes; `frame` when the text is that frame's. */
	write(text: string, bytes: number, frame?: Frame): EmitResult {
		if (this.pendingBytes > 0 && this.pendingBytes + bytes > this.limit) return this.end(new QueueFullError(this.limit), 'discard')
		if (this.currentBytes === 0) {
			this.current = text
			this.frame = frame
		} else {
			this.current += text
			this.frame = undefined
		}
		this.currentBytes += bytes
		this.pendingBytes += bytes
		if (this.currentBytes >= this.flushAt) {
			;(this.full ??= []).push({ text: this.current, bytes: this.currentBytes })
			this.current = ''
			this.currentBytes = 0
			this.frame = undefined
		}
		if (this.wanted) {
			// a frame is one whole publish, already encoded: it leaves at once, with no timer
			if (this.full !== undefined || frame !== undefined) this.flush()
			else if (!this.scheduled) {
				this.scheduled = true
				schedule(flushLater, this)
			}
		}
		return OK
	}

	send(frame: Frame): EmitResult {
		if (this.closed !== undefined) return this.closed
		// A frame for a reader that is waiting, with nothing before it: its bytes go out as they
		// are, with no queue to build (a channel's broadcast to thousands of streams does this).
		if (this.wanted && this.pendingBytes === 0) {
			this.wanted = false
			try {
				this.controller.enqueue(frame.bytes)
			} catch (cause) {
				return this.end(new StreamClosedError('error', 'The stream is closed: a write to the stream failed.', { cause }), 'discard')
			}
			return OK
		}
		return this.write(frame.text, frame.bytes.length, frame)
	}

	emit(event: string, data: unknown, options: EmitOptions | undefined): EmitResult {
		if (this.closed !== undefined) return this.closed
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
			chunk = formatSized(event, text, options === undefined ? undefined : options.id)
		} catch (error) {
			return {
				value: undefined,
				error: error instanceof ProtocolError ? error : new ProtocolError(String(error), { cause: error })
			}
		}
		return this.write(chunk, sized.bytes)
	}

	ready(): Promise<EmitResult> {
		if (this.closed !== undefined) return Promise.resolve(this.closed)
		if (this.pendingBytes < this.soft) return READY
		this.waiting ??= new Promise<EmitResult>((resolve) => (this.wakeWaiting = resolve))
		return this.waiting
	}

	adopt(value: unknown): void {
		if (typeof value !== 'function') return
		this.cleanup = value as Cleanup
		if (this.closed !== undefined) this.runCleanup(this.closed.error.reason)
	}

	failed(error: unknown): void {
		this.report(error)
		this.end(new StreamClosedError('error', 'The stream is closed: start() failed.', { cause: error }), 'close')
	}
}

// Node's (and Bun's) Buffer: ASCII text (as many bytes as characters) is copied as Latin-1,
// byte for byte, which is the same bytes as UTF-8 at a fraction of the cost. A Buffer is a
// Uint8Array, and node:http writes it without making a view of it first.
const nativeFrom = (globalThis as { Buffer?: { from(text: string, encoding: 'latin1' | 'utf8'): Uint8Array } }).Buffer?.from.bind(globalThis.Buffer)

/**
 * `text` in UTF-8, whose size is known: encoded into an array of exactly that size, which costs
 * about half of `TextEncoder.encode` (that one sizes its output by encoding twice, in effect).
 */
function encode(text: string, bytes: number): Uint8Array {
	if (bytes === text.length && nativeFrom !== undefined) return nativeFrom(text, 'latin1')
	const out = new Uint8Array(bytes)
	// a size that was counted wrong would cut the text: encode it the slow way instead
	return utf8.encodeInto(text, out).read === text.length ? out : utf8.encode(text)
}

/**
 * @internal `text` in UTF-8, for a frame that many streams will send: a Buffer in Node (and
 * Bun), which node:http writes as it is, where a plain Uint8Array gets a Buffer view made of it
 * for every response it is written to.
 */
export function encodeFrame(text: string): Uint8Array {
	return nativeFrom !== undefined ? nativeFrom(text, 'utf8') : utf8.encode(text)
}

function flushLater(stream: Stream): void {
	stream.scheduled = false
	if (stream.closed === undefined && stream.wanted && stream.pendingBytes > 0) stream.flush()
}

function ping(stream: Stream): void {
	if (stream.closed === undefined) stream.write(PING, PING.length)
}

/**
 * What `start` is given. Its members are getters on the prototype that make each function the
 * first time it is read (and keep it), so a stream whose `start` reads nothing costs nothing for
 * them: destructure what you use (`({ emit, lock }) => ...`). Being getters, they are not copied
 * by an object spread.
 */
class Context<Events extends EventMap> implements FrameContext<Events> {
	readonly #stream: Stream
	#emit: Emit<Events> | undefined
	#ready: (() => Promise<EmitResult>) | undefined
	#send: ((frame: Frame) => EmitResult) | undefined
	#lock: Lock | undefined
	readonly lastEventId: string

	constructor(stream: Stream, lastEventId: string) {
		this.#stream = stream
		this.lastEventId = lastEventId
	}

	get emit(): Emit<Events> {
		const stream = this.#stream
		return (this.#emit ??= ((event, data, options) => stream.emit(event, data, options)) as Emit<Events>)
	}

	get ready(): () => Promise<EmitResult> {
		const stream = this.#stream
		return (this.#ready ??= () => stream.ready())
	}

	get send(): (frame: Frame) => EmitResult {
		const stream = this.#stream
		return (this.#send ??= (frame) => stream.send(frame))
	}

	get overflow(): () => void {
		const stream = this.#stream
		return () => void (stream.closed === undefined && stream.end(new QueueFullError(stream.limit), 'discard'))
	}

	get lock(): Lock {
		const stream = this.#stream
		const lock: Lock = (this.#lock ??= {
			set(value) {
				if (stream.closed === undefined && !value) stream.end(new StreamClosedError('unlocked'), 'close')
			},
			update(updater) {
				lock.set(updater(stream.closed === undefined))
			},
			subscribe(run, invalidate) {
				const subscriber = { run, invalidate }
				;(stream.subscribers ??= new Set()).add(subscriber)
				run(stream.closed === undefined)
				return () => void stream.subscribers?.delete(subscriber)
			}
		})
		return lock
	}

	get signal(): AbortSignal {
		const stream = this.#stream
		if (!stream.aborter) {
			stream.aborter = new AbortController()
			if (stream.closed !== undefined) stream.aborter.abort(stream.closed.error)
		}
		return stream.aborter.signal
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
	const interval = options.ping ?? DEFAULT_PING_INTERVAL
	const limit = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
	checkOptions(interval, limit)
	const opener = options.retry === undefined ? encodeComment() : encodeRetry(checkRetry(options.retry))

	const headers = new Headers(options.headers)
	for (const [name, value] of DEFAULT_HEADERS) if (!headers.has(name)) headers.set(name, value)

	const stream = new Stream(options, limit)
	const response = new Response(new ReadableStream<Uint8Array>(stream, { highWaterMark: 0 }), { status: 200, headers })

	stream.controller.enqueue(opener)
	const signal = stream.signal
	if (signal?.aborted) {
		stream.end(new StreamClosedError('disconnected'), 'discard')
		return response
	}
	signal?.addEventListener('abort', stream, { once: true })

	if (interval !== false && interval > 0) {
		const timer = setInterval(ping, interval, stream)
		stream.timer = timer
		// the keep-alive alone should not keep a process alive (Node, Bun, Deno)
		const unref = (timer as { unref?: unknown }).unref
		if (typeof unref === 'function') unref.call(timer)
	}

	const context = new Context<Events>(stream, readLastEventId(options.request))
	try {
		const started = start(context)
		if (isThenable(started)) {
			started.then(
				(value) => stream.adopt(value),
				(error: unknown) => stream.failed(error)
			)
		} else stream.adopt(started)
	} catch (error) {
		stream.failed(error)
	}
	return response
}

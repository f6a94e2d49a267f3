/**
 * The fetch loop behind a `Source`: request, parse, reconnect with backoff, resume with
 * `Last-Event-ID`. Plain TypeScript with no runes, so it can be tested without Svelte; the
 * `.svelte.ts` classes mirror its state through `onChange`.
 */
import { createParser, DEFAULT_MAX_BUFFER_SIZE, type ServerSentEvent } from '../protocol/index.js'
import { SourceError } from './errors.js'

/** The default {@link ConnectionOptions.readTimeout}: three missed pings of `produce()`. */
export const DEFAULT_READ_TIMEOUT = 45_000

/** The longest delay a timer can wait; larger ones fire at once. */
const MAX_DELAY = 2 ** 31 - 1
/** Backoff grows from at least this, so a server's `retry: 0` cannot remove it. */
const MIN_BACKOFF_STEP = 100
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20

/** Where a connection stands: not started, (re)connecting, streaming, or ended for good. */
export type Status = 'idle' | 'connecting' | 'open' | 'closed'

/** What a reconnect decision is made from. */
export interface ReconnectInfo {
	/**
	 * 1 for the first retry after a failure or the end of a stream, counting up until a stream
	 * delivers an event or stays open at least as long as the wait before it (a stream that
	 * opens and ends at once does not reset the backoff).
	 */
	attempt: number
	/**
	 * The delay the default policy chose, in ms: exponential backoff with jitter, never less than
	 * the server's `retry:` (when it sent one, up to `maxDelay`) nor a `Retry-After`.
	 */
	delay: number
	/** Why the connection ended: null when the server simply ended the stream. */
	error: SourceError | null
}

/** Tunes the default backoff. */
export interface BackoffOptions {
	/** The first delay when the server sent no `retry:` (ms). Default 1000. */
	initialDelay?: number
	/** The longest delay (ms), also when the server's `retry:` asks for more. Default 30 000. */
	maxDelay?: number
	/** Give up after this many attempts in a row. Default: never. */
	maxAttempts?: number
}

/**
 * `true` (default) reconnects with exponential backoff and jitter, never sooner than the
 * server's `retry:`; `false` never reconnects; an object tunes the backoff; a function returns
 * the delay in ms, or `false` to stop.
 */
export type ReconnectOption = boolean | BackoffOptions | ((info: ReconnectInfo) => number | false)

/** Request headers, or a function that returns them afresh for every (re)connect (fresh tokens). */
export type HeadersOption = HeadersInit | (() => HeadersInit | Promise<HeadersInit>)

/** A request body; a plain object or array is sent as JSON. A function is called per attempt. */
export type BodyOption = BodyInit | object | null | (() => BodyInit | object | null)

/** How to reach the stream and what to do when it ends. */
export interface ConnectionOptions {
	/** HTTP method. Default "GET". */
	method?: string
	/** Request headers, or a function called for each (re)connect. `accept`, `cache-control` and `last-event-id` are set by the connection. */
	headers?: HeadersOption
	/** The request body (with POST and the like); a plain object or array is sent as JSON. */
	body?: BodyOption
	/** Whether to send cookies: as fetch's `credentials`. */
	credentials?: RequestCredentials
	/** When and how to reconnect; see {@link ReconnectOption}. Default `true`. */
	reconnect?: ReconnectOption
	/** The id to resume from on the first request (sent as `Last-Event-ID`). */
	lastEventId?: string
	/** The fetch to use (SvelteKit's `fetch`, a test double, a polyfill). Default `globalThis.fetch`. */
	fetch?: typeof fetch
	/**
	 * Most characters one event may buffer (the line being read plus the event's data so far)
	 * before the stream counts as broken. Default 16 Mi ({@link DEFAULT_MAX_BUFFER_SIZE}), so an
	 * event of up to 16 MiB of text from `produce()` (which sends events of any size) is taken.
	 */
	maxBufferSize?: number
	/**
	 * Milliseconds without a single byte (event or comment) after which the stream counts as
	 * dead and is reconnected: a connection that a proxy or NAT dropped silently never ends by
	 * itself. Also bounds the wait for the response. Default 45 000, three of `produce()`'s
	 * 15-second pings; `false` waits for ever.
	 */
	readTimeout?: number | false
	/**
	 * What to do when the server redirects. `'same-origin'` (default) follows redirects within the
	 * stream's origin and treats one to another origin as an error: for a stream on the page's own
	 * origin no header of yours (nor `Last-Event-ID`) leaves it, while for a stream on another
	 * origin the browser follows the redirect before it is refused. `'follow'` follows any
	 * redirect; `'error'` treats every redirect as an error.
	 */
	redirect?: 'same-origin' | 'follow' | 'error'
}

export interface ConnectionCallbacks {
	/** Every dispatched event, in order. Must not throw. */
	onEvent(event: ServerSentEvent): void
	/** Called after `status`, `error`, `attempt` or `lastEventId` changed. */
	onChange(): void
}

const RETRYABLE = new Set([408, 429])

function isRetryable(status: number): boolean {
	return status >= 500 || RETRYABLE.has(status)
}

/** The url as messages show it: without its query and fragment, which may hold tokens. */
function describe(url: string): string {
	return url.replace(/[?#].*$/s, '')
}

/** A delay a timer can honour: whole milliseconds from 0 to 2³¹−1. */
function clampDelay(milliseconds: number): number {
	return Math.min(MAX_DELAY, Math.max(0, Math.round(milliseconds)))
}

/**
 * A header value carrying `text` as UTF-8, as browsers send `Last-Event-ID`: `Headers` takes
 * one character per byte, so each UTF-8 byte becomes one character.
 */
function utf8Header(text: string): string {
	// eslint-disable-next-line no-control-regex -- ASCII needs no work
	if (/^[\x00-\x7f]*$/.test(text)) return text
	let bytes = ''
	for (const byte of new TextEncoder().encode(text)) bytes += String.fromCharCode(byte)
	return bytes
}

/** Reads `Retry-After` (seconds or an HTTP date) as milliseconds, or 0. */
function retryAfter(response: Response): number {
	const value = response.headers.get('retry-after')
	if (!value) return 0
	if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
	const date = Date.parse(value)
	return Number.isNaN(date) ? 0 : Math.max(0, date - Date.now())
}

function isPlainData(body: unknown): body is object {
	if (body === null || typeof body !== 'object') return false
	const prototype = Object.getPrototypeOf(body)
	return Array.isArray(body) || prototype === Object.prototype || prototype === null
}

/** Throws a RangeError for options no request could honour, before any request is made. */
export function checkOptions(options: ConnectionOptions): void {
	const { readTimeout, maxBufferSize, redirect } = options
	if (readTimeout !== undefined && readTimeout !== false && !(typeof readTimeout === 'number' && readTimeout > 0)) {
		throw new RangeError(`readTimeout must be a positive number of milliseconds or false, got ${String(readTimeout)}.`)
	}
	if (maxBufferSize !== undefined && !(typeof maxBufferSize === 'number' && maxBufferSize > 0)) {
		throw new RangeError(`maxBufferSize must be a positive number, got ${String(maxBufferSize)}.`)
	}
	if (redirect !== undefined && redirect !== 'same-origin' && redirect !== 'follow' && redirect !== 'error') {
		throw new RangeError(`redirect must be 'same-origin', 'follow' or 'error', got ${String(redirect)}.`)
	}
}

/** Something the caller passed failed (a headers or body function threw): retrying cannot help. */
function optionsError(what: string, cause: unknown): SourceError {
	return new SourceError(`${what} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { kind: 'options', cause })
}

/** One server-sent event stream over fetch, reconnecting until closed. */
export class Connection {
	readonly url: string
	#options: ConnectionOptions
	#callbacks: ConnectionCallbacks
	#status: Status = 'idle'
	#error: SourceError | null = null
	#attempt = 0
	#lastEventId: string
	#serverRetry: number | undefined
	/** Bumped by every start and stop, so a loop that outlived its connection goes quiet. */
	#generation = 0
	#abort: AbortController | null = null
	#timer: ReturnType<typeof setTimeout> | undefined
	/** When the current stream opened: one that lasts tells a healthy server from one that ends at once. */
	#openedAt: number | undefined
	#wake = () => this.reconnectNow()

	/** @throws {RangeError} when an option is out of range. */
	constructor(url: string | URL, options: ConnectionOptions, callbacks: ConnectionCallbacks) {
		checkOptions(options)
		this.url = String(url)
		this.#options = options
		this.#callbacks = callbacks
		this.#lastEventId = options.lastEventId ?? ''
	}

	get status(): Status {
		return this.#status
	}
	get error(): SourceError | null {
		return this.#error
	}
	/** Reconnect attempts since a stream last delivered an event or stayed open a while. */
	get attempt(): number {
		return this.#attempt
	}
	get lastEventId(): string {
		return this.#lastEventId
	}

	/** Opens the stream unless it is already open or opening. */
	open(): void {
		if (this.#status === 'connecting' || this.#status === 'open') return
		this.#attempt = 0
		this.#set('connecting')
		void this.#run()
	}

	/**
	 * Stops the stream and any pending reconnect. `idle` means "nobody is listening" (a lazy
	 * source may open again), `closed` means "closed on purpose".
	 */
	close(status: 'idle' | 'closed' = 'closed'): void {
		this.#stop()
		if (this.#status !== status) this.#set(status)
	}

	#stop(): void {
		this.#generation++
		this.#abort?.abort()
		this.#abort = null
		clearTimeout(this.#timer)
		this.#timer = undefined
		globalThis.removeEventListener?.('online', this.#wake)
	}

	#set(status: Status, error: SourceError | null = this.#error): void {
		this.#status = status
		this.#error = error
		this.#callbacks.onChange()
	}

	/** The request as the options describe it; a SourceError of kind `options` when one of them throws. */
	async #init(signal: AbortSignal): Promise<RequestInit & { duplex?: 'half' }> {
		const { method = 'GET', headers, credentials } = this.#options
		let requestHeaders: Headers
		let body: unknown
		try {
			requestHeaders = new Headers(typeof headers === 'function' ? await headers() : headers)
			body = typeof this.#options.body === 'function' ? this.#options.body() : this.#options.body
			if (isPlainData(body)) {
				body = JSON.stringify(body)
				if (!requestHeaders.has('content-type')) requestHeaders.set('content-type', 'application/json')
			}
		} catch (cause) {
			throw optionsError('The headers or body option', cause)
		}
		requestHeaders.set('accept', 'text/event-stream')
		requestHeaders.set('cache-control', 'no-cache')
		if (this.#lastEventId) requestHeaders.set('last-event-id', utf8Header(this.#lastEventId))
		const init: RequestInit & { duplex?: 'half' } = { method, headers: requestHeaders, body: body as BodyInit | null | undefined, credentials, signal, cache: 'no-store' }
		// fetch sends a stream only when told it may start before the response
		if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) init.duplex = 'half'
		return init
	}

	/**
	 * Fetches, following redirects as `options.redirect` allows. Where fetch shows where a
	 * redirect goes (servers, tests), redirects are followed here one by one; a browser hides it
	 * (an opaque redirect), so there the request is made again and the browser follows it, kept
	 * to the page's origin by `mode: 'same-origin'` or checked by the final url.
	 */
	async #request(signal: AbortSignal): Promise<Response> {
		const policy = this.#options.redirect ?? 'same-origin'
		const fetchFn = this.#options.fetch ?? globalThis.fetch
		const init = await this.#init(signal)
		if (policy === 'follow') return fetchFn(this.url, init)
		const base = globalThis.location?.href
		const origin = new URL(this.url, base).origin
		const refuse = (to?: string) => {
			const where = to === undefined ? '' : policy === 'error' ? ` to ${describe(to)}` : ` to another origin (${new URL(to).origin})`
			return new SourceError(`${describe(this.url)} redirected${where}; the redirect option ('${policy}') does not allow it.`, { kind: 'redirect' })
		}
		let url = this.url
		for (let hops = 0; ; hops++) {
			const response = await fetchFn(url, { ...init, redirect: 'manual' })
			if (response.type === 'opaqueredirect') {
				if (policy === 'error') throw refuse()
				const sameAsPage = origin === globalThis.location?.origin
				let followed: Response
				try {
					followed = await fetchFn(url, { ...init, redirect: 'follow', ...(sameAsPage && { mode: 'same-origin' }) })
				} catch (cause) {
					if (signal.aborted) throw cause
					// same-origin mode refuses a redirect to another origin before sending anything there
					throw new SourceError(`${describe(this.url)} redirected to another origin, or could not be reached; set the redirect option to allow other origins.`, { kind: 'redirect', cause })
				}
				if (!followed.url || new URL(followed.url).origin === origin) return followed
				void followed.body?.cancel().catch(() => {})
				throw refuse(followed.url)
			}
			const location = response.headers.get('location')
			if (!REDIRECTS.has(response.status) || location === null) return response
			void response.body?.cancel().catch(() => {})
			const next = new URL(location, url).href
			if (policy === 'error' || new URL(next).origin !== origin) throw refuse(next)
			if (hops === MAX_REDIRECTS) throw new SourceError(`${describe(this.url)} redirected more than ${MAX_REDIRECTS} times.`, { kind: 'redirect' })
			// as fetch does: 303, and 301/302 after a POST, go on as a GET without a body
			if (response.status === 303 || (init.method?.toUpperCase() === 'POST' && response.status < 303)) {
				if (init.method?.toUpperCase() !== 'HEAD') init.method = 'GET'
				init.body = null
				delete init.duplex
				;(init.headers as Headers).delete('content-type')
			}
			url = next
		}
	}

	async #run(): Promise<void> {
		const generation = ++this.#generation
		this.#openedAt = undefined
		const controller = new AbortController()
		this.#abort = controller
		const current = () => generation === this.#generation
		let failure: SourceError | null = null
		// One timer for the whole stream: each chunk only notes the time, and the timer, when it
		// fires, waits again for what is left of the timeout from the last chunk.
		const timeout = this.#options.readTimeout ?? DEFAULT_READ_TIMEOUT
		let lastRead = Date.now()
		let watchdog: ReturnType<typeof setTimeout> | undefined
		const watch = (timeout: number, wait: number) => {
			watchdog = setTimeout(() => {
				const idle = Date.now() - lastRead
				if (idle < timeout) return watch(timeout, timeout - idle)
				failure = new SourceError(`${describe(this.url)} sent nothing for ${timeout} ms; reconnecting.`, { kind: 'timeout' })
				controller.abort()
			}, clampDelay(wait))
		}
		if (timeout !== false) watch(timeout, timeout)
		try {
			const response = await this.#request(controller.signal)
			if (!current()) return void response.body?.cancel().catch(() => {})
			const { status } = response
			if (status === 204) {
				void response.body?.cancel().catch(() => {})
				return this.close('closed')
			}
			if (!response.ok) {
				void response.body?.cancel().catch(() => {})
				const error = new SourceError(`${describe(this.url)} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}.`, { kind: 'http', status })
				return isRetryable(status) ? this.#retry(error, retryAfter(response)) : this.#fail(error)
			}
			const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
			if (type !== 'text/event-stream' || !response.body) {
				void response.body?.cancel().catch(() => {})
				return this.#fail(new SourceError(`${describe(this.url)} answered with content-type "${type || 'none'}" instead of text/event-stream.`, { kind: 'content-type', status }))
			}
			this.#openedAt = Date.now()
			lastRead = this.#openedAt
			this.#set('open', null)
			const parser = createParser({
				lastEventId: this.#lastEventId,
				maxBufferSize: this.#options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE,
				onEvent: (event) => {
					if (!current()) return
					if (this.#attempt !== 0) {
						this.#attempt = 0
						this.#callbacks.onChange()
					}
					// The id goes with the event: a handler that closes the source drops the events
					// after it in the same chunk, and their ids must not be resumed from.
					this.#lastEventId = event.lastEventId
					this.#callbacks.onEvent(event)
				},
				onRetry: (milliseconds) => {
					this.#serverRetry = milliseconds
				},
				onError: (cause) => {
					failure = new SourceError(cause.message, { kind: 'parse', status, cause })
					controller.abort()
				}
			})
			const reader = response.body.getReader()
			for (;;) {
				const { done, value } = await reader.read()
				if (!current()) return
				if (done) break
				lastRead = Date.now()
				const before = this.#lastEventId
				parser.feed(value)
				if (!current()) return
				// an id that came without data (so with no event) moves it too
				this.#lastEventId = parser.lastEventId
				if (this.#lastEventId !== before) this.#callbacks.onChange()
			}
			parser.end()
			this.#retry(null)
		} catch (cause) {
			if (!current()) return
			if (cause instanceof SourceError && (cause.kind === 'options' || cause.kind === 'redirect')) return this.#fail(cause)
			this.#retry(failure ?? new SourceError(`Could not reach ${describe(this.url)}: ${cause instanceof Error ? cause.message : String(cause)}`, { kind: 'network', cause }))
		} finally {
			clearTimeout(watchdog)
		}
	}

	/** Ends for good with an error. */
	#fail(error: SourceError): void {
		this.#stop()
		this.#set('closed', error)
	}

	/** Schedules the next attempt, or ends when the policy says so. */
	#retry(error: SourceError | null, atLeast = 0): void {
		const policy = this.#options.reconnect ?? true
		if (policy === false) return error ? this.#fail(error) : this.close('closed')
		const backoff = typeof policy === 'object' ? policy : {}
		const base = this.#serverRetry ?? backoff.initialDelay ?? 1000
		const maxDelay = backoff.maxDelay ?? 30_000
		// The ceiling starts at `base` and doubles from the second attempt, from at least
		// MIN_BACKOFF_STEP, so a server that asks for no delay still gets backoff. The server's
		// `retry:` is also the least wait of every attempt (the spec waits the reconnection time,
		// "optionally some more"): the jitter only adds to it. Without one, the jitter is full.
		const ceilingOf = (attempt: number) => Math.min(maxDelay, attempt === 1 ? base : Math.max(base, MIN_BACKOFF_STEP) * 2 ** (attempt - 1))
		const least = Math.min(maxDelay, this.#serverRetry ?? 0)
		// A stream that stayed open at least as long as the wait before it (and never less than a
		// backoff step) was healthy, events or not (a quiet channel, a proxy's time limit): the
		// backoff starts over.
		const healthy = Math.max(MIN_BACKOFF_STEP, ceilingOf(Math.max(1, this.#attempt)))
		if (this.#openedAt !== undefined && Date.now() - this.#openedAt >= healthy) this.#attempt = 0
		this.#openedAt = undefined
		const attempt = this.#attempt + 1
		let delay: number | false = Math.max(atLeast, Math.round(least + Math.random() * (ceilingOf(attempt) - least)))
		if (typeof policy === 'function') {
			try {
				delay = policy({ attempt, delay, error })
			} catch (cause) {
				return this.#fail(optionsError('The reconnect function', cause))
			}
			if (delay !== false && (typeof delay !== 'number' || Number.isNaN(delay))) {
				return this.#fail(new SourceError(`The reconnect function must return a number of milliseconds or false, got ${String(delay)}.`, { kind: 'options' }))
			}
		}
		if (delay === false || (backoff.maxAttempts !== undefined && attempt > backoff.maxAttempts)) {
			return error ? this.#fail(error) : this.close('closed')
		}
		this.#stop()
		this.#attempt = attempt
		const generation = this.#generation
		this.#set('connecting', error)
		// onChange (through onerror) may have closed or reopened it meanwhile
		if (generation !== this.#generation) return
		globalThis.addEventListener?.('online', this.#wake)
		this.#timer = setTimeout(() => {
			if (generation === this.#generation) this.reconnectNow()
		}, clampDelay(delay))
	}

	/** While waiting to retry, retries at once; otherwise does nothing. */
	reconnectNow(): void {
		if (this.#status !== 'connecting' || this.#timer === undefined) return
		clearTimeout(this.#timer)
		this.#timer = undefined
		globalThis.removeEventListener?.('online', this.#wake)
		void this.#run()
	}
}

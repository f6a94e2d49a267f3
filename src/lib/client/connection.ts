/**
 * The fetch loop behind a `Source`: request, parse, reconnect with backoff, resume with
 * `Last-Event-ID`. Plain TypeScript with no runes, so it can be tested without Svelte; the
 * `.svelte.ts` classes mirror its state through `onChange`.
 */
import { createParser, type ServerSentEvent } from '../protocol/index.js'
import { SourceError } from './errors.js'

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
	/** The delay the default policy chose (exponential backoff with full jitter), in ms. */
	delay: number
	/** Why the connection ended: null when the server simply ended the stream. */
	error: SourceError | null
}

/** Tunes the default backoff. */
export interface BackoffOptions {
	/** The first delay when the server sent no `retry:` (ms). Default 1000. */
	initialDelay?: number
	/** The longest delay (ms). Default 30 000. */
	maxDelay?: number
	/** Give up after this many attempts in a row. Default: never. */
	maxAttempts?: number
}

/**
 * `true` (default) reconnects with exponential backoff and full jitter; `false` never
 * reconnects; an object tunes the backoff; a function returns the delay in ms, or `false` to stop.
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
	 * before the stream counts as broken. Default 8 Mi.
	 */
	maxBufferSize?: number
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

	constructor(url: string | URL, options: ConnectionOptions, callbacks: ConnectionCallbacks) {
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

	async #request(signal: AbortSignal): Promise<Response> {
		const { method = 'GET', headers, credentials } = this.#options
		const requestHeaders = new Headers(typeof headers === 'function' ? await headers() : headers)
		requestHeaders.set('accept', 'text/event-stream')
		requestHeaders.set('cache-control', 'no-cache')
		if (this.#lastEventId) requestHeaders.set('last-event-id', this.#lastEventId)
		let body = typeof this.#options.body === 'function' ? this.#options.body() : this.#options.body
		if (isPlainData(body)) {
			body = JSON.stringify(body)
			if (!requestHeaders.has('content-type')) requestHeaders.set('content-type', 'application/json')
		}
		const fetchFn = this.#options.fetch ?? globalThis.fetch
		return fetchFn(this.url, { method, headers: requestHeaders, body: body as BodyInit | null | undefined, credentials, signal, cache: 'no-store' })
	}

	async #run(): Promise<void> {
		const generation = ++this.#generation
		this.#openedAt = undefined
		const controller = new AbortController()
		this.#abort = controller
		const current = () => generation === this.#generation
		let parseError: SourceError | null = null
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
				const error = new SourceError(`${this.url} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}.`, { kind: 'http', status })
				return isRetryable(status) ? this.#retry(error, retryAfter(response)) : this.#fail(error)
			}
			const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
			if (type !== 'text/event-stream' || !response.body) {
				void response.body?.cancel().catch(() => {})
				return this.#fail(new SourceError(`${this.url} answered with content-type "${type || 'none'}" instead of text/event-stream.`, { kind: 'content-type', status }))
			}
			this.#openedAt = Date.now()
			this.#set('open', null)
			const parser = createParser({
				lastEventId: this.#lastEventId,
				maxBufferSize: this.#options.maxBufferSize,
				onEvent: (event) => {
					if (!current()) return
					if (this.#attempt !== 0) {
						this.#attempt = 0
						this.#callbacks.onChange()
					}
					this.#callbacks.onEvent(event)
				},
				onRetry: (milliseconds) => {
					this.#serverRetry = milliseconds
				},
				onError: (cause) => {
					parseError = new SourceError(cause.message, { kind: 'parse', status, cause })
					controller.abort()
				}
			})
			const reader = response.body.getReader()
			for (;;) {
				const { done, value } = await reader.read()
				if (!current()) return
				if (done) break
				parser.feed(value)
				if (parser.lastEventId !== this.#lastEventId) {
					this.#lastEventId = parser.lastEventId
					this.#callbacks.onChange()
				}
			}
			parser.end()
			this.#retry(null)
		} catch (cause) {
			if (!current()) return
			this.#retry(parseError ?? new SourceError(`Could not reach ${this.url}: ${cause instanceof Error ? cause.message : String(cause)}`, { kind: 'network', cause }))
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
		const ceilingOf = (attempt: number) => Math.min(backoff.maxDelay ?? 30_000, base * 2 ** (attempt - 1))
		// A stream that stayed open at least as long as the wait before it was healthy, events or
		// not (a quiet channel, a proxy's time limit): the backoff starts over.
		if (this.#openedAt !== undefined && Date.now() - this.#openedAt >= ceilingOf(Math.max(1, this.#attempt))) this.#attempt = 0
		this.#openedAt = undefined
		const attempt = this.#attempt + 1
		const ceiling = ceilingOf(attempt)
		let delay: number | false = Math.max(atLeast, Math.round(Math.random() * ceiling))
		if (typeof policy === 'function') delay = policy({ attempt, delay, error })
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
		}, Math.max(0, delay))
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

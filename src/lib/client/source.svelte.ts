import { createSubscriber } from 'svelte/reactivity'
import type { ServerSentEvent } from '../protocol/index.js'
import { Connection, type ConnectionOptions, type Status } from './connection.js'
import { reportUncaught, type SourceError } from './errors.js'
import { schemaStage, type JsonFallback } from './pipeline.js'
import { isStandardSchema, type InferOutput, type StandardSchemaV1 } from './schema.js'
import { Selection, type Hub } from './selection.svelte.js'

/** Nothing connects or schedules on the server: SSR output must not depend on the network. */
const BROWSER = typeof window !== 'undefined' && typeof document !== 'undefined'

/** Event names and the type of their data once decoded, e.g. `{ tick: { n: number }; message: string }`. */
export type EventMap = Record<string, unknown>

/** Options of `new Source(url, options)`: the request, the reconnect policy and laziness. */
export interface SourceOptions extends ConnectionOptions {
	/**
	 * `true` (default): connect when something first reads a selection or `status`, and
	 * disconnect when nothing reads any more. `false`: connect at once (in the browser) and
	 * stay connected until `close()`.
	 */
	lazy?: boolean
	/** Called with every error: failed requests, broken streams, data that did not decode. */
	onerror?: (error: SourceError) => void
}

/**
 * Options of `select(event, options)`. `select` returns the same selection for the same event
 * and schema, so `initial` and `or` take effect when that selection is first made.
 */
export interface SelectOptions<T> {
	/** Validates (and types) the data with any Standard Schema: zod, valibot, arktype… */
	schema?: StandardSchemaV1<unknown, T>
	/**
	 * With `schema`: the value to use when an event's data does not match it (it receives the
	 * error, the raw data and the previous value). Without `or`, the value stays as it was and
	 * the selection's `error` is set.
	 */
	or?: (fallback: JsonFallback<T>) => T | undefined
	/** The value before the first event; also what the server renders. */
	initial?: T
}

type Data<Events extends EventMap, Name extends string> = Name extends keyof Events ? Events[Name] : unknown
/** A selection of a typed event: strings are strings; other types come out of `json()`. */
type Selected<Events extends EventMap, Name extends string> =
	Data<Events, Name> extends string ? Selection<string, string> : Selection<string, Data<Events, Name>>

/**
 * A server-sent event stream as reactive state. Fields are `$state`: read `status`, `error`
 * or a selection's `current` in markup and the connection opens; stop reading and it closes.
 * Fetch-based, so headers, POST bodies and credentials work; it reconnects with backoff and
 * resumes with `Last-Event-ID`.
 *
 * @example
 * const sse = new Source<{ tick: { n: number } }>('/clock')
 * const tick = sse.select('tick').json()
 * // markup: {sse.status} {tick.current?.n}
 */
export class Source<Events extends EventMap = Record<string, string>> {
	#connection: Connection
	#options: SourceOptions
	#status = $state<Status>('idle')
	#error = $state.raw<SourceError | null>(null)
	#lastEventId = $state('')
	#attempt = $state(0)
	#holders = 0
	/** Set by `connect()` and `lazy: false`: stay connected whoever reads. */
	#pinned = false
	/** Set by `close()`: readers do not reopen what was closed on purpose. */
	#closed = false
	#listeners = new Map<string, Set<(event: ServerSentEvent) => void>>()
	#last = new Map<string, ServerSentEvent>()
	/** Per event name: the plain selection, and those with a schema (weakly, so inline schemas go away). */
	#selections = new Map<string, { plain?: Selection<unknown>; bySchema: WeakMap<object, Selection<unknown>> }>()
	#hub: Hub = {
		hold: () => this.#hold(),
		release: () => this.#release(),
		listen: (type, listener) => {
			let listeners = this.#listeners.get(type)
			if (!listeners) this.#listeners.set(type, (listeners = new Set()))
			listeners.add(listener)
			return () => listeners.delete(listener)
		},
		last: (type) => this.#last.get(type),
		report: (error) => this.#report(error)
	}
	/** Wakes readers that created this source inside their own reaction (see `Selection`). */
	#update: (() => void) | undefined
	#subscribe = createSubscriber((update) => {
		// held before `update` is known, for the reason given in Selection
		this.#hold()
		this.#update = update
		return () => {
			this.#update = undefined
			this.#release()
		}
	})

	constructor(url: string | URL, options: SourceOptions = {}) {
		this.#options = options
		this.#lastEventId = options.lastEventId ?? ''
		this.#connection = new Connection(url, options, {
			onEvent: (event) => this.#dispatch(event),
			onChange: () => this.#sync()
		})
		if (options.lazy === false) this.connect()
	}

	/** The url this source reads. */
	get url(): string {
		return this.#connection.url
	}

	/** 'idle' (not wanted yet), 'connecting' (also while waiting to retry), 'open' or 'closed'. */
	get status(): Status {
		this.#subscribe()
		return this.#status
	}

	/** The last connection error (with `status` for HTTP errors), or null once a stream opens. */
	get error(): SourceError | null {
		this.#subscribe()
		return this.#error
	}

	/** The id of the last event with one; sent as `Last-Event-ID` when reconnecting. */
	get lastEventId(): string {
		this.#subscribe()
		return this.#lastEventId
	}

	/** Reconnect attempts since a stream last delivered an event or stayed open a while (see `ReconnectInfo.attempt`). */
	get attempt(): number {
		this.#subscribe()
		return this.#attempt
	}

	/**
	 * The events named `event` (default "message"). The same name (and schema) gives the same
	 * `Selection`, so `{sse.select('tick').current}` works directly in markup.
	 *
	 * @example
	 * const price = sse.select('price', { schema: z.object({ usd: z.number() }) })
	 */
	select<Name extends Extract<keyof Events, string> | (string & {}) = 'message'>(event?: Name): Selected<Events, Name>
	select<Schema extends StandardSchemaV1>(event: string, schema: Schema): Selection<InferOutput<Schema>>
	select<Schema extends StandardSchemaV1>(event: string, options: SelectOptions<InferOutput<Schema>> & { schema: Schema }): Selection<InferOutput<Schema>>
	select<Name extends Extract<keyof Events, string> | (string & {})>(event: Name, options: Omit<SelectOptions<string>, 'or'> & { schema?: undefined }): Selected<Events, Name>
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads above carry the types
	select(event = 'message', schemaOrOptions?: StandardSchemaV1 | SelectOptions<unknown>): Selection<any, any> {
		const options: SelectOptions<unknown> = isStandardSchema(schemaOrOptions) ? { schema: schemaOrOptions } : (schemaOrOptions ?? {})
		const { schema } = options
		let byName = this.#selections.get(event)
		if (!byName) this.#selections.set(event, (byName = { bySchema: new WeakMap() }))
		let selection = schema ? byName.bySchema.get(schema) : byName.plain
		if (!selection) {
			selection = new Selection(this.#hub, event, schema ? [schemaStage(schema, options.or)] : [], options.initial)
			if (schema) byName.bySchema.set(schema, selection)
			else byName.plain = selection
		}
		return selection
	}

	/**
	 * Opens the connection now and keeps it open, read or not, until `close()`; while waiting to
	 * reconnect, reconnects at once. `connect({ lazy: true })` undoes a `close()` without keeping
	 * the connection open: it opens now if something reads the source, and closes when nothing does.
	 */
	connect(options: { lazy?: boolean } = {}): void {
		this.#closed = false
		if (!options.lazy) this.#pinned = true
		if (!BROWSER || !(this.#pinned || this.#holders > 0)) return
		this.#connection.open()
		this.#connection.reconnectNow()
	}

	/** Closes the connection and stops reconnecting; readers do not reopen it until `connect()`. */
	close(): void {
		this.#closed = true
		this.#pinned = false
		this.#connection.close('closed')
	}

	#hold(): void {
		if (this.#holders++ === 0 && BROWSER && !this.#closed) this.#connection.open()
	}

	#release(): void {
		if (--this.#holders === 0 && !this.#pinned && !this.#closed) this.#connection.close('idle')
	}

	#sync(): void {
		const connection = this.#connection
		const error = connection.error
		const fresh = error !== null && error !== this.#error
		this.#status = connection.status
		this.#error = error
		this.#lastEventId = connection.lastEventId
		this.#attempt = connection.attempt
		this.#update?.()
		if (fresh) this.#report(error)
	}

	/** Hands an error to `onerror`; one that `onerror` throws must not break the connection. */
	#report(error: SourceError): void {
		try {
			this.#options.onerror?.(error)
		} catch (failure) {
			reportUncaught(failure)
		}
	}

	#dispatch(event: ServerSentEvent): void {
		if (this.#selections.has(event.type)) this.#last.set(event.type, event)
		const listeners = this.#listeners.get(event.type)
		if (listeners) for (const listener of [...listeners]) listener(event)
	}
}

const shared = /* @__PURE__ */ new Map<string, WeakRef<Source<EventMap>>>()
/** Forgets a shared source's key once nothing holds the source any more. */
const forget = /* @__PURE__ */ new FinalizationRegistry<string>((key) => {
	if (!shared.get(key)?.deref()) shared.delete(key)
})
const identities = /* @__PURE__ */ new WeakMap<object, number>()
let nextIdentity = 0

/** A stable key for an option: plain data by value, functions and other objects by identity. */
function keyOf(value: unknown): unknown {
	if (value === null || typeof value !== 'object') return typeof value === 'function' ? `#${identityOf(value)}` : value
	const prototype = Object.getPrototypeOf(value)
	if (Array.isArray(value)) return value.map(keyOf)
	if (prototype === Object.prototype || prototype === null) {
		return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, keyOf(v)]))
	}
	return `#${identityOf(value)}`
}

/**
 * @internal A key for a request: the same url and options give the same key, plain data
 * compared by value, functions and other objects by identity. Used by `source()` and by
 * `<SSESource>` to tell whether new options ask for the same stream.
 */
export function requestKey(url: string | URL, options: Record<string, unknown>): string {
	return JSON.stringify(keyOf({ url: String(url), ...options }))
}

function identityOf(value: object): number {
	let id = identities.get(value)
	if (id === undefined) identities.set(value, (id = ++nextIdentity))
	return id
}

/**
 * A `Source` shared by everyone who asks for the same url with the same request options: one
 * connection, opened while anyone reads it. A reader that stops never closes it for the others;
 * `close()` does, since it closes the one shared source. On the server every call makes a new
 * `Source`, so no state crosses requests.
 *
 * @example
 * const { current } = source('/notifications').select('notice')
 */
export function source<Events extends EventMap = Record<string, string>>(url: string | URL, options: SourceOptions = {}): Source<Events> {
	// On the server one module serves every request: sharing there would leak one request's
	// state into another's page.
	if (!BROWSER) return new Source<Events>(url, options)
	const { method = 'GET', headers, body, credentials, reconnect, lastEventId, fetch, maxBufferSize, lazy, onerror } = options
	const key = requestKey(url, { method: method.toUpperCase(), headers, body, credentials, reconnect, lastEventId, fetch, maxBufferSize, lazy, onerror })
	const existing = shared.get(key)?.deref()
	if (existing) return existing as Source<Events>
	const created = new Source<Events>(url, options)
	shared.set(key, new WeakRef(created as Source<EventMap>))
	forget.register(created, key)
	return created
}

import { BROWSER } from 'esm-env'
import { onDestroy, untrack } from 'svelte'
import { createSubscriber } from 'svelte/reactivity'
import type { ServerSentEvent } from '../protocol/index.js'
import { snapshot } from './callbacks.js'
import { Connection, type ConnectionOptions, type Status } from './connection.js'
import { reportUncaught, type SourceError } from './errors.js'
import { schemaStage, type JsonFallback } from './pipeline.js'
import { isStandardSchema, type InferOutput, type StandardSchemaV1 } from './schema.js'
import { Selection, type Hub } from './selection.svelte.js'
import { canShare, SharedConnection } from './share.js'

/** A connection of this tab's own, or one shared with other tabs. */
type Link = Connection | SharedConnection

/** A value, or a function that returns it afresh (read reactively, as runed's MaybeGetter). */
export type MaybeGetter<T> = T | (() => T)

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
	/**
	 * Shares one connection among the tabs of this browser that read the same stream: one tab
	 * (elected with the Web Locks API) holds the connection and relays events and state to the
	 * others over a BroadcastChannel; when it closes, another takes over and resumes from the last
	 * event id. The same stream means the same url, method, body, credentials and plain headers
	 * (their values are hashed, never sent between tabs; header and body functions are not
	 * compared). Where Web Locks, BroadcastChannel or SHA-256 are missing (an insecure context,
	 * SSR), each tab connects on its own. Default `false`.
	 */
	share?: boolean
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
 * `url` and `options` may be getters, read reactively while the source is connected: when what
 * they return changes, the source moves to the new request. Selections made before carry on.
 * New headers, credentials, reconnect policy or other settings for the same url, method, body
 * and `lastEventId` option resume from the last event id; a new url, method, body or
 * `lastEventId` starts afresh.
 *
 * @example
 * const sse = new Source<{ tick: { n: number } }>('/clock')
 * const tick = sse.select('tick').json()
 * // markup: {sse.status} {tick.current?.n}
 *
 * @example
 * // a fresh token reconnects, resuming where the stream was
 * const sse = new Source('/feed', () => ({ headers: { authorization: `Bearer ${auth.token}` } }))
 */
export class Source<Events extends EventMap = Record<string, string>> {
	#url: MaybeGetter<string | URL>
	#input: MaybeGetter<SourceOptions>
	/** The options as last read. */
	#options: SourceOptions
	#connection: Link
	/** Keys of what the connection was made for: the whole request, and the stream it reads. */
	#request = ''
	#stream = ''
	#href = $state('')
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
	#all = new Set<(event: ServerSentEvent) => void>()
	#last = new Map<string, ServerSentEvent>()
	/** Per event name: the plain selection, and those with a schema (weakly, so inline schemas go away). */
	#selections = new Map<string, { plain?: Selection<unknown>; bySchema: WeakMap<object, Selection<unknown>> }>()
	/** While connected with getters: stops the effect that follows them (or the one about to start). */
	#unwatch: (() => void) | undefined
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

	/**
	 * @param url - the stream's url, or a getter for it.
	 * @param options - the request and the reconnect policy, or a getter for them (`lazy` is read once).
	 * @throws {RangeError} when an option is out of range.
	 */
	constructor(url: MaybeGetter<string | URL>, options: MaybeGetter<SourceOptions> = {}) {
		this.#url = url
		this.#input = options
		const [href, initial] = untrack(() => this.#read())
		this.#options = initial
		this.#lastEventId = initial.lastEventId ?? ''
		this.#connection = this.#rekey(href, initial)
		if (initial.lazy === false) this.connect()
	}

	/** The url this source reads (the getter's latest while connected). */
	get url(): string {
		return this.#href
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
	 * Calls `run` with every event, whatever its name, in order: for logging, devtools or
	 * bridging to another protocol. Listening holds the connection open like any reader; the
	 * returned function stops listening.
	 *
	 * @example
	 * $effect(() => sse.listen(({ type, data, lastEventId }) => console.log(type, lastEventId, data)))
	 */
	listen(run: (event: ServerSentEvent) => void): () => void {
		// a copy, so the same function listening twice is two listeners, each with its own stop
		const listener = (event: ServerSentEvent) => run(event)
		this.#all.add(listener)
		this.#hold()
		let listening = true
		return () => {
			if (!listening) return
			listening = false
			this.#all.delete(listener)
			// a microtask later, as createSubscriber does: an effect that listens anew on each run
			// keeps the connection instead of closing and reopening it
			queueMicrotask(() => this.#release())
		}
	}

	/**
	 * Opens the connection now and keeps it open, read or not, until `close()`; while waiting to
	 * reconnect, reconnects at once. `connect({ lazy: true })` undoes a `close()` without keeping
	 * the connection open: it opens now if something reads the source, and closes when nothing does.
	 */
	connect(options: { lazy?: boolean } = {}): void {
		// Called from an effect (a component's), it must not make that effect depend on the
		// source's state: the next error would rerun it, and it would reconnect at once.
		untrack(() => {
			this.#closed = false
			if (!options.lazy) this.#pinned = true
			if (!this.#wanted()) return
			this.#start()
			this.#connection.reconnectNow()
		})
	}

	/** Closes the connection and stops reconnecting; readers do not reopen it until `connect()`. */
	close(): void {
		untrack(() => {
			this.#closed = true
			this.#pinned = false
			this.#stopWatching()
			this.#connection.close('closed')
			closing.get(this)?.()
		})
	}

	#wanted(): boolean {
		return BROWSER && !this.#closed && (this.#pinned || this.#holders > 0)
	}

	/** Opens with what the getters say now, and follows them while open. */
	#start(): void {
		if (typeof this.#url === 'function' || typeof this.#input === 'function') {
			const [url, options] = untrack(() => this.#read())
			this.#rekey(url, options)
			this.#watch()
		}
		this.#connection.open()
	}

	#hold(): void {
		if (this.#holders++ === 0 && this.#wanted()) this.#start()
	}

	#release(): void {
		if (--this.#holders === 0 && !this.#pinned && !this.#closed) {
			this.#stopWatching()
			this.#connection.close('idle')
		}
	}

	#read(): [string, SourceOptions] {
		const url = typeof this.#url === 'function' ? this.#url() : this.#url
		const options = typeof this.#input === 'function' ? this.#input() : this.#input
		return [String(url), options ?? {}]
	}

	/**
	 * Follows the getters in an effect of its own, started outside whatever effect is running now
	 * (a reader's), so that it outlives that reader.
	 */
	#watch(): void {
		if (this.#unwatch) return
		let stop: (() => void) | undefined
		let stopped = false
		this.#unwatch = () => {
			stopped = true
			stop?.()
		}
		queueMicrotask(() => {
			if (stopped) return
			stop = $effect.root(() => {
				$effect(() => {
					const [url, options] = this.#read()
					untrack(() => this.#rekey(url, options))
				})
			})
		})
	}

	#stopWatching(): void {
		this.#unwatch?.()
		this.#unwatch = undefined
	}

	/**
	 * Moves to the request that `url` and `options` describe, unless it is the one in use; returns
	 * the connection. The same stream (url, method, body, starting id) resumes from the last
	 * event id; another one starts afresh.
	 */
	#rekey(url: string, options: SourceOptions): Link {
		this.#options = options
		const request = requestKey(url, options)
		if (request === this.#request) return this.#connection
		const { method = 'GET', body, lastEventId = '' } = options
		const stream = requestKey(url, { method, body, lastEventId })
		const previous = this.#request ? this.#connection : undefined
		const resume = previous !== undefined && stream === this.#stream
		const callbacks = {
			onEvent: (event: ServerSentEvent) => {
				if (connection === this.#connection) this.#dispatch(event)
			},
			onChange: () => {
				if (connection === this.#connection) this.#sync()
			},
			snapshot: () => [...this.#last.values()]
		}
		const connectionOptions = { ...options, lastEventId: resume ? previous.lastEventId : lastEventId }
		const connection: Link =
			options.share && BROWSER && canShare()
				? new SharedConnection(url, connectionOptions, callbacks, shareKey(url, options))
				: new Connection(url, connectionOptions, callbacks)
		this.#connection = connection
		this.#href = url
		this.#request = request
		this.#stream = stream
		if (previous) {
			previous.close('idle')
			// another stream: a late reader must not catch up with an event of the old one
			if (!resume) this.#last.clear()
			if (this.#closed) connection.close('closed')
			else if (this.#wanted()) connection.open()
			this.#sync()
		}
		return connection
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

	/** Hands an error to every `onerror`; one that `onerror` throws must not break the connection. */
	#report(error: SourceError): void {
		for (const onerror of [this.#options.onerror, ...(extraHandlers.get(this) ?? [])]) {
			try {
				onerror?.(error)
			} catch (failure) {
				reportUncaught(failure)
			}
		}
	}

	#dispatch(event: ServerSentEvent): void {
		if (this.#selections.has(event.type)) this.#last.set(event.type, event)
		if (this.#all.size > 0) {
			for (const listener of snapshot(this.#all)) {
				try {
					listener(event)
				} catch (error) {
					reportUncaught(error)
				}
			}
		}
		const listeners = this.#listeners.get(event.type)
		if (listeners !== undefined && listeners.size > 0) for (const listener of snapshot(listeners)) listener(event)
	}
}

/** `onerror` handlers that `source()` callers added to a shared source. */
const extraHandlers = /* @__PURE__ */ new WeakMap<Source<EventMap>, Set<(error: SourceError) => void>>()
/** What `close()` does besides closing: a shared source stops being shared. */
const closing = /* @__PURE__ */ new WeakMap<Source<EventMap>, () => void>()

const shared = /* @__PURE__ */ new Map<string, WeakRef<Source<EventMap>>>()
/** Forgets a shared source's key once nothing holds the source any more. */
const forget = /* @__PURE__ */ new FinalizationRegistry<string>((key) => {
	if (!shared.get(key)?.deref()) shared.delete(key)
})
const identities = /* @__PURE__ */ new WeakMap<object, number>()
let nextIdentity = 0

/** A stable key for an option: plain data by value, functions and other objects by identity. */
function keyOf(value: unknown, identity: (value: object) => unknown = identityOf): unknown {
	if (value === null || typeof value !== 'object') return typeof value === 'function' ? identity(value) : value
	const prototype = Object.getPrototypeOf(value)
	if (Array.isArray(value)) return value.map((item) => keyOf(item, identity))
	if (prototype === Object.prototype || prototype === null) {
		return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, keyOf(v, identity)]))
	}
	return identity(value)
}

/**
 * A key for a request: the same url and options give the same key, plain data compared by value,
 * functions and other objects by identity. `onerror` and `lazy` do not change the request.
 */
function requestKey(url: unknown, options: SourceOptions): string {
	const { method = 'GET', lazy: _lazy, onerror: _onerror, lastEventId = '', ...rest } = options
	return JSON.stringify(keyOf({ ...rest, url: typeof url === 'function' ? url : String(url), method: method.toUpperCase(), lastEventId }))
}

/**
 * The same for tabs to agree on: identities mean nothing in another tab, so functions and other
 * objects count as equal, and what the connection itself manages (the reconnect policy, the
 * starting id) is left out.
 */
function shareKey(url: string, options: SourceOptions): string {
	const { method = 'GET', body, credentials, headers, maxBufferSize, redirect } = options
	return JSON.stringify(keyOf({ url: new URL(url, globalThis.location?.href).href, method: method.toUpperCase(), body, credentials, headers, maxBufferSize, redirect }, (value) => (typeof value === 'function' ? 'function' : 'object')))
}

function identityOf(value: object): string {
	let id = identities.get(value)
	if (id === undefined) identities.set(value, (id = ++nextIdentity))
	return `#${id}`
}

/**
 * A `Source` shared by everyone who asks for the same url with the same request options: one
 * connection, opened while anyone reads it. A reader that stops never closes it for the others;
 * `close()` does, and a closed source is never handed out again: the next call makes a new one.
 * `onerror` and `lazy` do not make a request different: each caller's `onerror` is called (until
 * the component that called `source()` is destroyed), and `lazy: false` from any caller keeps the
 * shared source connected. On the server every call makes a new `Source`, so no state crosses
 * requests.
 *
 * @example
 * const { current } = source('/notifications').select('notice')
 */
export function source<Events extends EventMap = Record<string, string>>(url: MaybeGetter<string | URL>, options: SourceOptions = {}): Source<Events> {
	// On the server one module serves every request: sharing there would leak one request's
	// state into another's page.
	if (!BROWSER) return new Source<Events>(url, options)
	const { lazy, onerror } = options
	const key = requestKey(url, options)
	let found = shared.get(key)?.deref() as Source<Events> | undefined
	// closed by the server (204, a fatal error): a new reader gets a new stream
	if (found && untrack(() => found!.status) === 'closed') found = undefined
	if (!found) {
		found = new Source<Events>(url, { ...options, onerror: undefined })
		const created = found as Source<EventMap>
		shared.set(key, new WeakRef(created))
		forget.register(created, key)
		closing.set(created, () => {
			if (shared.get(key)?.deref() === created) shared.delete(key)
		})
	}
	if (onerror) addErrorHandler(found as Source<EventMap>, onerror)
	if (lazy === false) found.connect()
	return found
}

/** Adds `onerror` to a shared source, for as long as the calling component lives. */
function addErrorHandler(shared: Source<EventMap>, onerror: (error: SourceError) => void): void {
	let handlers = extraHandlers.get(shared)
	if (!handlers) extraHandlers.set(shared, (handlers = new Set()))
	// a copy, so two callers with the same function are two handlers, each removed with its caller
	const handler = (error: SourceError) => onerror(error)
	handlers.add(handler)
	try {
		onDestroy(() => handlers.delete(handler))
	} catch {
		// called outside a component's initialisation: the handler lives as long as the source
	}
}

import { untrack } from 'svelte'
import { createSubscriber } from 'svelte/reactivity'
import type { ServerSentEvent } from '../protocol/index.js'
import { notify } from './callbacks.js'
import { reportUncaught, SourceError } from './errors.js'
import { jsonStage, runStages, transformStage, type JsonFallback, type Stage, type StageFactory } from './pipeline.js'

/** One event as a selection saw it: its decoded value and where it came from. */
export interface SelectionEvent<T> {
	/** The decoded value. */
	value: T
	/** The data as it arrived on the wire. */
	raw: string
	/** The event type. */
	type: string
	/** The last event id when this event arrived. */
	id: string
}

/** What a `Selection` needs from its `Source`; not part of the public API. */
export interface Hub {
	/** Keeps the connection wanted while held. */
	hold(): void
	release(): void
	/** Calls `listener` for every event of `type`; returns the unsubscribe. */
	listen(type: string, listener: (event: ServerSentEvent) => void): () => void
	/** The last event of `type` since the source was created, if any. */
	last(type: string): ServerSentEvent | undefined
	/** Reports a decode error to the source's `onerror`. */
	report(error: SourceError): void
}

/**
 * The events of one type from a `Source`, as a reactive value. Reading `current` (in markup, an
 * effect or a `$derived`) or subscribing opens the source's connection; when nothing reads any
 * more, it closes.
 *
 * @example
 * const clock = new Source('/clock').select('tick')
 * // markup: {clock.current ?? 'waiting…'}  or  {$clock}
 *
 * @typeParam T - the value of each event.
 * @typeParam J - what `json()` decodes to by default (from the source's event map).
 */
export class Selection<T, J = unknown> {
	/** The event type this selection follows. */
	readonly event: string
	#hub: Hub
	#factories: StageFactory[]
	#stages: Stage[]
	#initial: T | undefined
	// Plain fields, not `$state`: every getter tracks the subscriber's version (see `#update`),
	// which each change bumps once. Four signal writes per event cost more than the rest of the
	// client, even for `subscribe` and `listen` users that read none of them.
	#value: T | undefined
	/** The event behind `#value`, and the `SelectionEvent` made from it when someone asked. */
	#event: ServerSentEvent | undefined
	#latest: SelectionEvent<T> | undefined
	#error: SourceError | null = null
	#seen: ServerSentEvent | undefined
	/** Orders events whose value is still being validated asynchronously. */
	#queue: Promise<unknown> | undefined
	/** Bumped when the last reader leaves, so validations still running then change nothing. */
	#epoch = 0
	#holders = 0
	#unlisten: (() => void) | undefined
	#stores = new Set<(value: T | undefined) => void>()
	#listeners = new Set<(value: T, event: SelectionEvent<T>) => void>()
	#storeValue: T | undefined
	/** Per kind, keyed by the function; weak, so one derived with an inline function in markup goes away with it. */
	#derived = { json: new WeakMap<object, Selection<unknown>>(), transform: new WeakMap<object, Selection<unknown>>() }
	/**
	 * Wakes the readers that track this selection: the only signal it writes. (`$state` fields
	 * would not reach a reader that created the selection itself either, since state made during
	 * a reaction is not tracked by it, as when markup calls `select()` inline; the subscriber's
	 * version always is.) Undefined while nothing reads reactively, so an event then writes none.
	 */
	#update: (() => void) | undefined
	/**
	 * True from a wake-up until a reader reads: every reader that tracked the version before it is
	 * then due to rerun and will read the fields as they are by then, so waking them again
	 * changes nothing. A chunk of many events wakes them once, not once per event.
	 */
	#woken = false
	#subscribe = createSubscriber((update) => {
		// Held before `update` is known: the catch-up inside `#hold` runs while the reader is
		// reading, which then sees its value anyway. Waking it would rerun a reader that makes a
		// new selection on every run (an inline `json(fn)` in markup) forever.
		this.#hold()
		this.#update = update
		return () => {
			this.#update = undefined
			this.#release()
		}
	})

	/** @internal Created by `Source.select`, `json` and `transform`. */
	constructor(hub: Hub, event: string, factories: StageFactory[], initial?: T) {
		this.#hub = hub
		this.event = event
		this.#factories = factories
		this.#stages = factories.map((make) => make())
		this.#initial = initial
		this.#value = initial
		this.#storeValue = initial
	}

	/** The latest value; the `initial` value (or undefined) before the first event. */
	get current(): T | undefined {
		this.#read()
		return this.#value
	}

	/**
	 * The latest event, as an object that is new for every event: an effect that reads it reruns
	 * after an event even when the value is the same as before. Effects are batched, so events
	 * that arrive together rerun it once; to see every event, use `listen`.
	 */
	get latest(): SelectionEvent<T> | undefined {
		this.#read()
		return this.#selected()
	}

	/** The last decode or validation error of this selection; null after a good event. */
	get error(): SourceError | null {
		this.#read()
		return this.#error
	}

	/**
	 * The Svelte store contract, so `$selection` works: `run` gets the current value at once,
	 * then synchronously for every event whose value differs from the one before. Subscribing
	 * opens the connection like reading `current` does; unsubscribing lets it go a microtask
	 * later, so an effect that subscribes anew on every run keeps the connection.
	 */
	subscribe(run: (value: T | undefined) => void): () => void {
		return this.#add(this.#stores, (value: T | undefined) => run(value), (store) => store(this.#storeValue))
	}

	/**
	 * Calls `listener` for every event, identical values included (chat messages, log lines).
	 * Listening opens the connection; the returned function stops listening (and lets the
	 * connection go a microtask later, as `subscribe` does).
	 */
	listen(listener: (value: T, event: SelectionEvent<T>) => void): () => void {
		return this.#add(this.#listeners, (value: T, event: SelectionEvent<T>) => listener(value, event))
	}

	/**
	 * Adds a copy of a callback (so the same function added twice is two, each with its own stop)
	 * and holds the connection until the returned function is called.
	 */
	#add<F>(set: Set<F>, callback: F, first?: (callback: F) => void): () => void {
		this.#hold()
		set.add(callback)
		first?.(callback)
		let added = true
		return () => {
			if (!added) return
			added = false
			set.delete(callback)
			// a microtask later, as createSubscriber does (see Source.listen)
			queueMicrotask(() => this.#release())
		}
	}

	/**
	 * Decodes each event's data as JSON. When the data is not valid JSON, `or` gives the value to
	 * use (it receives the error, the raw data and the previous value); without `or`, the value
	 * stays as it was and `error` is set.
	 *
	 * @example
	 * const tick = source.select('tick').json<{ n: number }>(({ previous }) => previous)
	 */
	json<U = J>(or?: (fallback: JsonFallback<U>) => U | undefined): Selection<U> {
		return this.#derive(this.#derived.json, or ?? jsonStage, () => jsonStage<U>(or))
	}

	/**
	 * A selection whose value is `fn` applied to each value of this one. An async `fn` is
	 * awaited, in order: the selection holds what it resolves to.
	 */
	transform<U>(fn: (value: T) => U): Selection<Awaited<U>> {
		return this.#derive(this.#derived.transform, fn, () => transformStage(fn))
	}

	/** One derived selection per kind and key, so markup that calls `json()` on every render stays tracked. */
	#derive<U>(derived: WeakMap<object, Selection<unknown>>, key: object, makeStage: () => StageFactory): Selection<U> {
		let selection = derived.get(key) as Selection<U> | undefined
		if (!selection) {
			const stage = makeStage()
			let initial: U | undefined
			if (this.#initial !== undefined) {
				try {
					const value = stage()(this.#initial)
					if (!(value instanceof Promise)) initial = value as U
				} catch {
					// an initial value the stage cannot take leaves the derived one undefined
				}
			}
			selection = new Selection<U>(this.#hub, this.event, [...this.#factories, stage], initial)
			derived.set(key, selection as Selection<unknown>)
		}
		return selection
	}

	#wake(): void {
		if (this.#woken || this.#update === undefined) return
		this.#woken = true
		this.#update()
	}

	/** Tracks the reader, or, outside any effect, brings the value up to date on the spot. */
	#read(): void {
		this.#woken = false
		this.#subscribe()
		if (this.#holders === 0) untrack(() => this.#catchUp())
	}

	/** A reader that arrives late sees the latest event at once, not after the next one. */
	#catchUp(): void {
		const last = this.#hub.last(this.event)
		if (last && last !== this.#seen) this.#receive(last)
	}

	#hold(): void {
		if (this.#holders++ > 0) return
		this.#unlisten = this.#hub.listen(this.event, (event) => this.#receive(event))
		this.#catchUp()
		this.#hub.hold()
	}

	#release(): void {
		if (--this.#holders > 0) return
		if (this.#queue) {
			// what was still being validated is dropped: the next reader validates it again
			this.#epoch++
			this.#queue = undefined
			this.#seen = undefined
		}
		this.#unlisten?.()
		this.#unlisten = undefined
		this.#hub.release()
	}

	#receive(event: ServerSentEvent): void {
		this.#seen = event
		let outcome: unknown
		try {
			outcome = runStages(this.#stages, event.data)
		} catch (error) {
			return this.#fail(error)
		}
		if (outcome instanceof Promise || this.#queue) {
			const epoch = this.#epoch
			// Settled at once, so that a rejection is handled even while an earlier event is still
			// being validated; applied in arrival order.
			const settled = Promise.resolve(outcome).then(
				(value) => () => this.#accept(value as T, event),
				(error: unknown) => () => this.#fail(error)
			)
			const queue: Promise<unknown> = (this.#queue ?? Promise.resolve())
				.then(async () => {
					const apply = await settled
					if (epoch === this.#epoch) apply()
				})
				// #accept and #fail guard user code; this keeps anything else from rejecting unhandled
				.catch(reportUncaught)
				.finally(() => {
					if (this.#queue === queue) this.#queue = undefined
				})
			this.#queue = queue
			return
		}
		this.#accept(outcome as T, event)
	}

	/** The `SelectionEvent` of the current value, made once per event and only when asked for. */
	#selected(): SelectionEvent<T> | undefined {
		const event = this.#event
		if (this.#latest === undefined && event !== undefined) {
			this.#latest = { value: this.#value as T, raw: event.data, type: event.type, id: event.lastEventId }
		}
		return this.#latest
	}

	#accept(value: T, event: ServerSentEvent): void {
		this.#value = value
		this.#event = event
		this.#latest = undefined
		this.#error = null
		this.#wake()
		if (value !== this.#storeValue) {
			this.#storeValue = value
			notify(this.#stores, value, undefined)
		}
		if (this.#listeners.size > 0) notify(this.#listeners, value, this.#selected() as SelectionEvent<T>)
	}

	#fail(error: unknown): void {
		const failure = error instanceof SourceError ? error : new SourceError(error instanceof Error ? error.message : String(error), { kind: 'transform', cause: error })
		this.#error = failure
		this.#wake()
		this.#hub.report(failure)
	}
}

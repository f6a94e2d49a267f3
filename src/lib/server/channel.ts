/**
 * Channels: one stream of events fanned out to every client that asks, on one instance or many.
 * A backend stores each channel's events under ids it makes and tells every instance of new
 * ones; the channel formats each event once, hands the same bytes to every stream, and replays
 * what a client missed by its `Last-Event-ID`, with no gap and no duplicate where the replay
 * meets the live events.
 */
import { formatEvent, HISTORY_LOST, ProtocolError } from '../protocol/index.js'
import { memory } from './memory.js'
import { DEFAULT_MAX_QUEUED_BYTES, encodeFrame, produce, type Emit, type EventMap, type Frame, type FrameContext, type ProduceOptions } from './produce.js'

/** One stored event: its id, its name and its data as text (as it goes on the wire). */
export interface StoredEvent {
	/** Opaque, unique in its channel, increasing in publish order; the same on every instance. */
	readonly id: string
	/** The event name. */
	readonly event: string
	/** The data as text: a string as it was published, anything else as JSON. */
	readonly data: string
}

/** What a backend calls while a live subscription lasts. */
export interface LiveListener {
	/** Every event published after the subscription was made, in order, each once. */
	event(event: StoredEvent): void
	/**
	 * The backend cannot deliver for now (its server is unreachable); it keeps trying and goes
	 * on from where it was, so nothing that it stored is skipped.
	 */
	error?(error: Error): void
}

/**
 * Where a channel's events are stored and how they reach every instance. The library has
 * `memory()` (one process), `redis()` (`svelte-sse/redis`) and `postgres()`
 * (`svelte-sse/postgres`); implement these methods to put channels on another store (NATS
 * JetStream, Kafka…). Channel names and ids are opaque to the backend's callers; the backend
 * makes the ids.
 */
export interface Backend {
	/** Stores an event at the end of the channel's history; resolves with its id once stored. */
	publish(channel: string, event: string, data: string): Promise<string>
	/**
	 * Delivers every event published from now on to `listener`, in order. Resolves, with the
	 * unsubscriber, once that holds: an event published after it resolves is never missed.
	 */
	subscribe(channel: string, listener: LiveListener): Promise<() => void>
	/**
	 * The events stored after `after`, in order; `undefined` when `after` is not in the history
	 * (older than what is kept, or unknown), so that events after it may be gone.
	 */
	history(channel: string, after: string): Promise<StoredEvent[] | undefined>
	/** The latest event of the channel, or the latest of the given name; undefined when there is none. */
	latest(channel: string, event?: string): Promise<StoredEvent | undefined>
	/**
	 * Orders two ids of one channel: negative when `a` was published first, positive when `b`
	 * was, 0 when they are the same. Ids mean nothing to the channel beyond this order.
	 */
	compare(a: string, b: string): number
}

/** An event of a channel, typed by its event map: the data is the text that went on the wire. */
export type ChannelEvent<Events extends EventMap = EventMap, Name extends string = Extract<keyof Events, string>> = {
	[N in Name]: { readonly id: string; readonly event: N; readonly data: string }
}[Name]

/**
 * What `subscribe` and `events` give: an event of the channel, or the {@link HISTORY_LOST}
 * signal when the events after `after` are gone (its id is the latest id, its data JSON).
 */
export type ChannelMessage<Events extends EventMap = EventMap> = ChannelEvent<Events> | { readonly id: string; readonly event: typeof HISTORY_LOST; readonly data: string }

/** Options of `channel(name, options)`. */
export interface ChannelOptions {
	/** Where the channel's events live. Default: one `memory()` backend for the whole process. */
	backend?: Backend
}

/** Options of `channel.produce(request, options)`: those of `produce()` that apply, and per-subscriber ones. */
export interface ChannelProduceOptions<Events extends EventMap = EventMap> extends Pick<ProduceOptions, 'ping' | 'headers' | 'maxQueuedBytes' | 'retry' | 'stop' | 'onerror'> {
	/** Sends this subscriber only the events for which it returns true (the history-lost signal always goes). */
	filter?: (event: ChannelEvent<Events>) => boolean
	/**
	 * Sends this subscriber events of its own before the channel's (the current state, a
	 * greeting); the channel's events that arrive meanwhile wait, none is lost.
	 */
	initial?: (context: { emit: Emit<Events>; lastEventId: string }) => void | Promise<void>
}

/** Options of `channel.events(options)`. */
export interface EventsOptions {
	/** Replays the events after this id first (a `HISTORY_LOST` event when they are gone). */
	after?: string
	/** Ends the iteration (a pending `next()` resolves done): pass the request's signal. */
	signal?: AbortSignal
	/** The most events that may wait for a consumer that does not pull; past it, `next()` throws. Default 1 000. */
	maxQueued?: number
}

/** Options of `channel.subscribe(listener, options)`. */
export interface SubscribeOptions {
	/** Replays the events after this id first (as a stream does for its `Last-Event-ID`). */
	after?: string
	/**
	 * Receives what the listener throws and backend errors: a failure to subscribe or replay
	 * (after which the listener is unsubscribed) and an outage of the store while it is live
	 * (after which it stays: the backend goes on from where it was). Default: `console.error`.
	 */
	onerror?: (error: unknown) => void
}

/** One event on its way to the subscribers of this instance: formatted and encoded once, when first needed. */
class Delivery {
	readonly event: StoredEvent
	/** Whether the frame sets the client's id (every stored event does; see `#join` for the one that does not). */
	readonly #sendsId: boolean
	#frame: Frame | undefined
	constructor(event: StoredEvent, sendsId = true) {
		this.event = event
		this.#sendsId = sendsId
	}
	get frame(): Frame {
		if (this.#frame === undefined) {
			const text = formatEvent({ id: this.#sendsId ? this.event.id : undefined, event: this.event.event, data: this.event.data })
			this.#frame = { text, bytes: encodeFrame(text) }
		}
		return this.#frame
	}
}

/** A subscriber on this instance: a stream or a listener. */
interface Member {
	/** Events that arrived while the member was still catching up. */
	waiting: Delivery[] | undefined
	/**
	 * The last event it was given by its replay: live events up to this one (a live feed may
	 * lag behind a replay) are not given again.
	 */
	seam?: string
	deliver(delivery: Delivery): void
	/** Keeps a live event that arrived while it catches up (in `waiting`). */
	hold(delivery: Delivery): void
	/** Resolves true when it can take more of its replay, false once it has ended. */
	pace?(): Promise<boolean>
	/** Ends the member after a failure it cannot recover from. */
	fail(error: unknown): void
	/**
	 * Its own `onerror`, told of a failure the backend recovers from by itself (an outage of its
	 * store); without one, the channel reports the failure to the console once for all of them.
	 */
	notice: ((error: unknown) => void) | undefined
	readonly gone: boolean
}

/** What a stream adds to a member: its replay follows its client's pace, and what waits meanwhile is bounded. */
interface Paced {
	/** Resolves true when the stream can take more, false once it has ended. */
	pace(): Promise<boolean>
	/** The most bytes of live events that may wait while the replay goes on (the stream's own limit). */
	limit: number
	/** Ends the stream as a full queue does: its client resumes from the last id it got. */
	end(): void
}

function reportToConsole(error: unknown): void {
	console.error('[svelte-sse] channel:', error)
}

function serialise(data: unknown): string {
	if (typeof data === 'string') return data
	let text: string | undefined
	try {
		text = JSON.stringify(data)
	} catch (cause) {
		throw new ProtocolError(`The data cannot be serialised as JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
	}
	if (text === undefined) throw new ProtocolError(`The data cannot be serialised as JSON: JSON.stringify returned undefined for a ${typeof data}.`)
	return text
}

/**
 * A named stream of events for many clients; get one with `channel(name)`. Publish from anywhere
 * on the server (a form action, a webhook, a job); every stream made by `produce` receives it.
 */
export class Channel<Events extends EventMap = EventMap> {
	/** The channel's name. */
	readonly name: string
	#backend: Backend
	#members = new Set<Member>()
	/** The backend subscription shared by this instance's members, while there are any. */
	#live: Promise<() => void> | undefined

	/** @internal Made by `channel()`. */
	constructor(name: string, backend: Backend) {
		this.name = name
		this.#backend = backend
	}

	/**
	 * Publishes an event to every subscriber on every instance. Data is sent as `emit` sends it:
	 * a string as it is, anything else as JSON.
	 *
	 * @returns the event's id, once the backend holds it.
	 * @throws {ProtocolError} (as a rejection) for a name or data that cannot be sent; nothing is stored.
	 */
	async publish<Name extends Extract<keyof Events, string>>(event: Name, data: Events[Name]): Promise<string> {
		const text = serialise(data)
		// checks the name and the data as the wire needs them, before anything is stored
		formatEvent({ event, data: text })
		return this.#backend.publish(this.name, event, text)
	}

	/**
	 * A stream of this channel for a `+server.ts`: given a `Last-Event-ID`, it sends exactly the
	 * events after that id, in order, then the live ones. When that id is older than the history
	 * (or unknown), it sends a {@link HISTORY_LOST} event first. The replay goes at the client's
	 * pace, and the live events that arrive meanwhile wait, up to `maxQueuedBytes`; past that the
	 * stream ends as a full queue does. `onerror` also hears of an outage of the store while the
	 * stream is live; the stream stays.
	 *
	 * @example
	 * export const GET: RequestHandler = ({ request }) => channel('room').produce(request)
	 */
	produce(request: Pick<Request, 'headers' | 'signal'>, options: ChannelProduceOptions<Events> = {}): Response {
		const { filter, initial, ...rest } = options
		const report = options.onerror ?? reportToConsole
		const limit = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
		return produce<Events>(
			(context) => {
				const { send, lock, lastEventId, emit, ready, overflow } = context as FrameContext<Events>
				const member = this.#member(
					(delivery) => {
						if (filter && delivery.event.event !== HISTORY_LOST) {
							let keep: boolean
							try {
								keep = filter(delivery.event as ChannelEvent<Events>)
							} catch (error) {
								report(error)
								keep = false
							}
							if (!keep) return
						}
						if (send(delivery.frame).error) this.#leave(member)
					},
					(error) => {
						report(error)
						lock.set(false)
					},
					options.onerror,
					{ pace: async () => !(await ready()).error, limit, end: overflow }
				)
				const before = initial && (() => initial({ emit, lastEventId }))
				void this.#join(member, lastEventId || undefined, before)
				return () => this.#leave(member)
			},
			{ ...rest, request }
		)
	}

	/**
	 * Calls `listener` with every event of the channel from now on (after replaying those after
	 * `options.after`, when given), for server code that reacts to events or a hand-made stream.
	 *
	 * @returns the unsubscriber.
	 */
	subscribe(listener: (event: ChannelMessage<Events>) => void, options: SubscribeOptions = {}): () => void {
		const report = options.onerror ?? reportToConsole
		const member = this.#member(
			(delivery) => {
				try {
					listener(delivery.event as ChannelMessage<Events>)
				} catch (error) {
					report(error)
				}
			},
			(error) => {
				report(error)
				this.#leave(member)
			},
			options.onerror
		)
		void this.#join(member, options.after)
		return () => this.#leave(member)
	}

	/**
	 * The channel's events as an async iterable, subscribed from the moment of the call: for a
	 * SvelteKit `query.live` (yield a snapshot, then new state per event), a worker loop or a
	 * test. Ends when `signal` aborts or the loop breaks; throws when the backend fails (an outage of
	 * its store included: iterate again with `after` the last id to go on) or more than
	 * `maxQueued` events wait for a consumer that does not pull.
	 *
	 * @example
	 * for await (const event of room.events({ signal: request.signal })) console.log(event.event, event.data)
	 * @throws {RangeError} when `maxQueued` is not a positive whole number.
	 */
	events(options: EventsOptions = {}): AsyncIterableIterator<ChannelMessage<Events>> {
		const { after, signal, maxQueued = 1000 } = options
		if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) throw new RangeError(`maxQueued must be a whole number of events, 1 or more, got ${String(maxQueued)}.`)
		const queue: ChannelMessage<Events>[] = []
		let failure: unknown
		let done = false
		let wake: (() => void) | undefined
		const finish = (error?: unknown) => {
			if (done) return
			done = true
			failure = error
			stop()
			signal?.removeEventListener('abort', onAbort)
			wake?.()
		}
		const onAbort = () => finish()
		const stop = this.subscribe(
			(event) => {
				if (queue.length < maxQueued) queue.push(event)
				else finish(new Error(`More than ${maxQueued} events waited for a consumer that did not pull (maxQueued).`))
				wake?.()
			},
			{ after, onerror: (error) => finish(error) }
		)
		signal?.addEventListener('abort', onAbort, { once: true })
		if (signal?.aborted) finish()
		const iterator: AsyncIterableIterator<ChannelMessage<Events>> = {
			[Symbol.asyncIterator]: () => iterator,
			async next() {
				for (;;) {
					if (queue.length > 0) return { value: queue.shift()!, done: false }
					if (failure !== undefined) {
						const error = failure
						failure = undefined
						throw error
					}
					if (done) return { value: undefined, done: true }
					await new Promise<void>((resolve) => (wake = resolve))
					wake = undefined
				}
			},
			async return() {
				finish()
				queue.length = 0
				return { value: undefined, done: true }
			}
		}
		return iterator
	}

	/**
	 * The latest event of the channel (or the latest of one name), for a page to render on the
	 * server: give its `id` to the page's `Source` as `lastEventId` and the stream resumes from
	 * exactly what was rendered, nothing lost in between.
	 *
	 * @example
	 * // +page.server.ts
	 * export const load = async () => ({ latest: await channel('prices').latest('price') })
	 */
	latest<Name extends Extract<keyof Events, string>>(event?: Name): Promise<ChannelEvent<Events, Name> | undefined> {
		return this.#backend.latest(this.name, event) as Promise<ChannelEvent<Events, Name> | undefined>
	}

	/**
	 * How many subscribers on this instance receive live events: those whose replay is done.
	 * A stream receives what is published once it is counted here, a round trip to the backend
	 * after its request; a page that renders on the server and resumes from `latest()`'s id
	 * misses nothing in between.
	 */
	get subscribers(): number {
		let live = 0
		for (const member of this.#members) if (member.waiting === undefined) live++
		return live
	}

	/**
	 * Adds a member: live events wait in `member.waiting` while it runs `before`, replays what it
	 * missed, and finds the seam; then it is live.
	 */
	async #join(member: Member, after: string | undefined, before?: () => void | Promise<void>): Promise<void> {
		this.#members.add(member)
		try {
			await this.#subscribeLive()
			if (before) await before()
			let seam = after
			if (after !== undefined && !member.gone) {
				const replay = await this.#backend.history(this.name, after)
				if (member.gone) return
				if (replay === undefined) {
					seam = (await this.#backend.latest(this.name))?.id
					// On an empty channel there is no id to carry on from, and an empty one would make the
					// client come back without any: it would start afresh and miss, unknowingly, what is
					// published meanwhile. Its own id is left as it is, so that it is told again.
					const lost = { id: seam ?? '', event: HISTORY_LOST, data: JSON.stringify({ lastEventId: after, latest: seam ?? null }) }
					member.deliver(new Delivery(lost, seam !== undefined))
				} else {
					// A stream takes its replay at its client's pace: handed all at once, a replay
					// larger than the stream may queue would end it, and its client would come back
					// for the same replay again.
					for (const event of replay) {
						member.deliver(new Delivery(event))
						if (member.pace !== undefined && !(await member.pace())) return
						if (member.gone) return
					}
					if (replay.length > 0) seam = replay[replay.length - 1]!.id
				}
			}
			// The live events that waited, and those still on their way, may include what the
			// replay gave (or what was lost with the history): only those after the seam follow.
			member.seam = seam
			const waiting = member.waiting ?? []
			member.waiting = undefined
			for (const delivery of waiting) this.#pass(member, delivery)
		} catch (error) {
			if (!member.gone) member.fail(error)
		}
	}

	/** A subscriber on this instance, gone once it leaves: nothing is delivered to it after that. */
	#member(deliver: (delivery: Delivery) => void, fail: (error: unknown) => void, notice: ((error: unknown) => void) | undefined, paced?: Paced): Member {
		const members = this.#members
		let waitingBytes = 0
		const member: Member = {
			waiting: [],
			get gone() {
				return !members.has(member)
			},
			deliver: (delivery) => {
				if (!member.gone) deliver(delivery)
			},
			hold: (delivery) => {
				member.waiting!.push(delivery)
				if (paced === undefined) return
				// a client that stopped reading mid-replay: what waits for it is bounded as its queue is,
				// and past that it is ended the same way
				waitingBytes += delivery.frame.bytes.length
				if (waitingBytes > paced.limit) {
					this.#leave(member)
					paced.end()
				}
			},
			pace: paced?.pace,
			fail,
			notice
		}
		return member
	}

	/** Gives a live event to a member that is past its replay, unless the replay gave it already. */
	#pass(member: Member, delivery: Delivery): void {
		if (member.seam !== undefined) {
			if (this.#backend.compare(delivery.event.id, member.seam) <= 0) return
			member.seam = undefined
		}
		member.deliver(delivery)
	}

	#leave(member: Member): void {
		if (!this.#members.delete(member) || this.#members.size > 0) return
		const live = this.#live
		this.#live = undefined
		live?.then((unsubscribe) => unsubscribe(), () => {})
	}

	/** One backend subscription for all of this instance's members. */
	#subscribeLive(): Promise<() => void> {
		if (this.#live === undefined) {
			const live = this.#backend.subscribe(this.name, {
				event: (event) => {
					const delivery = new Delivery(event)
					for (const member of this.#members) {
						if (member.waiting) member.hold(delivery)
						else this.#pass(member, delivery)
					}
				},
				// The backend goes on from where it was once its store is back: every member hears of
				// the outage and stays, and the console hears of it once for those with no onerror.
				error: (error) => {
					let unheard = false
					for (const member of [...this.#members]) {
						if (member.notice === undefined) unheard = true
						else {
							try {
								member.notice(error)
							} catch (thrown) {
								reportToConsole(thrown)
							}
						}
					}
					if (unheard) reportToConsole(error)
				}
			})
			this.#live = live
			// a failed subscription is tried again by the next member
			live.catch(() => {
				if (this.#live === live) this.#live = undefined
			})
		}
		return this.#live
	}
}

const channels = new WeakMap<Backend, Map<string, Channel>>()

/** The process's default backend, kept on globalThis so that a dev server's module reload keeps its history. */
function defaultBackend(): Backend {
	const key = Symbol.for('svelte-sse.memory')
	const store = globalThis as { [key]?: Backend }
	return (store[key] ??= memory())
}

/**
 * The channel named `name`: cheap to call in every request, since the same name on the same
 * backend is always the same channel.
 *
 * @example
 * // src/routes/room/+server.ts
 * const room = channel<{ message: { from: string; text: string } }>('room')
 * export const GET: RequestHandler = ({ request }) => room.produce(request)
 * export const POST: RequestHandler = async ({ request }) => {
 *   await room.publish('message', await request.json())
 *   return new Response(null, { status: 204 })
 * }
 * @throws {TypeError} when `name` is not a non-empty string.
 */
export function channel<Events extends EventMap = EventMap>(name: string, options: ChannelOptions = {}): Channel<Events> {
	if (typeof name !== 'string' || name === '') throw new TypeError(`A channel name must be a non-empty string, got ${JSON.stringify(name)}.`)
	const backend = options.backend ?? defaultBackend()
	let named = channels.get(backend)
	if (!named) channels.set(backend, (named = new Map()))
	let found = named.get(name)
	if (!found) named.set(name, (found = new Channel(name, backend)))
	return found as unknown as Channel<Events>
}

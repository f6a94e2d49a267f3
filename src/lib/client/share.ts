/**
 * One connection per browser for a stream that several tabs read (`share: true`). The tabs that
 * want the stream queue for a Web Lock named after it; the one holding the lock (the leader)
 * runs the real `Connection` and relays every event and every change of state to the others
 * over a BroadcastChannel. When the leader closes or stops reading, the lock passes to the next
 * tab, which reconnects with the last event id it was relayed: no tab misses or repeats an event.
 *
 * Header values never travel: the lock and the channel are named after a SHA-256 hash of the
 * request, and only events and state cross between tabs.
 */
import type { ServerSentEvent } from '../protocol/index.js'
import { checkOptions, Connection, type ConnectionCallbacks, type ConnectionOptions, type Status } from './connection.js'
import { SourceError, type SourceErrorKind } from './errors.js'

/**
 * An error as it crosses to other tabs, with an id of its own: the leader says where it stands
 * again whenever a tab joins, and a follower must not take the same failure for a new one.
 */
type SharedError = { message: string; kind: SourceErrorKind; status?: number; id: string }

/** The id each error goes by between tabs (made by the tab that met it, kept by those told of it). */
const errorIds = /* @__PURE__ */ new WeakMap<SourceError, string>()

function shareError(error: SourceError | null): SharedError | null {
	if (error === null) return null
	let id = errorIds.get(error)
	if (id === undefined) errorIds.set(error, (id = Math.random().toString(36).slice(2)))
	return { message: error.message, kind: error.kind, status: error.status, id }
}

/** What a tab says to the others. */
type Message =
	| { kind: 'event'; event: ServerSentEvent }
	| { kind: 'state'; status: Status; error: SharedError | null; attempt: number; lastEventId: string }
	/** A tab that starts following asks for the state and the latest event of each type. */
	| { kind: 'hello'; from: string }
	| { kind: 'snapshot'; to: string; events: ServerSentEvent[] }
	/** A follower asks the leader to reconnect at once (a retry button). */
	| { kind: 'reconnect' }

/** What the sharing connection needs from its source besides the connection's callbacks. */
export interface ShareCallbacks extends ConnectionCallbacks {
	/** The latest event of each type this tab has, for a tab that starts following. */
	snapshot(): ServerSentEvent[]
}

/** Whether this browser can share: Web Locks, BroadcastChannel and SHA-256 (a secure context). */
export function canShare(): boolean {
	return typeof BroadcastChannel === 'function' && typeof navigator !== 'undefined' && navigator.locks !== undefined && globalThis.crypto?.subtle !== undefined
}

async function hash(text: string): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
	return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** A connection shared by the tabs of a browser; the same surface as `Connection`. */
export class SharedConnection {
	readonly url: string
	#options: ConnectionOptions
	#callbacks: ShareCallbacks
	#name: Promise<string>
	#id = Math.random().toString(36).slice(2)
	#status: Status = 'idle'
	#error: SourceError | null = null
	#attempt = 0
	#lastEventId: string
	/** Bumped by every join and leave, so that a lock granted to an old join goes back at once. */
	#want = 0
	#joined = false
	/** Whether a relayed event came before the snapshot asked for: then the snapshot is stale. */
	#heard = false
	/**
	 * The last event of each type this tab was given, kept while it leaves and joins again: the
	 * snapshot it then gets may hold events it has had, which it must not be given twice.
	 */
	#given = new Map<string, ServerSentEvent>()
	#channel: BroadcastChannel | undefined
	/** The queue for the lock, while waiting in it. */
	#waiting: AbortController | undefined
	/** While this tab leads: its connection, and how to give the lock back. */
	#leader: { connection: Connection; release: () => void } | undefined

	/**
	 * @param request - a key of the request; its hash names the lock and the channel.
	 * @throws {RangeError} when an option is out of range, as `Connection` does: checked here,
	 * since the tab that leads would meet it only later, inside the lock, where nobody hears it.
	 */
	constructor(url: string | URL, options: ConnectionOptions, callbacks: ShareCallbacks, request: string) {
		checkOptions(options)
		this.url = String(url)
		this.#options = options
		this.#callbacks = callbacks
		this.#lastEventId = options.lastEventId ?? ''
		this.#name = hash(request).then((digest) => `svelte-sse:${digest}`)
	}

	get status(): Status {
		return this.#status
	}
	get error(): SourceError | null {
		return this.#error
	}
	get attempt(): number {
		return this.#attempt
	}
	get lastEventId(): string {
		return this.#lastEventId
	}

	/** Joins the tabs that read this stream: leads when no other tab does, follows otherwise. */
	open(): void {
		if (this.#leader) return this.#leader.connection.open()
		if (this.#joined) {
			// following a leader whose stream ended for good: ask it to open again
			if (this.#status === 'closed') this.#post({ kind: 'reconnect' })
			return
		}
		this.#joined = true
		const want = ++this.#want
		this.#set({ status: 'connecting', error: this.#error, attempt: this.#attempt, lastEventId: this.#lastEventId })
		void this.#join(want)
	}

	/** Leaves: a leader closes its connection and hands the lock to the next tab that wants the stream. */
	close(status: 'idle' | 'closed' = 'closed'): void {
		this.#want++
		this.#joined = false
		this.#heard = false
		this.#waiting?.abort()
		this.#waiting = undefined
		const leader = this.#leader
		this.#leader = undefined
		if (leader) {
			leader.connection.close('idle')
			leader.release()
		}
		this.#channel?.close()
		this.#channel = undefined
		if (this.#status !== status) this.#set({ status, error: this.#error, attempt: this.#attempt, lastEventId: this.#lastEventId })
	}

	/** Reconnects at once while waiting to retry: here when leading, in the leader's tab otherwise. */
	reconnectNow(): void {
		if (this.#leader) this.#leader.connection.reconnectNow()
		else this.#channel?.postMessage({ kind: 'reconnect' } satisfies Message)
	}

	async #join(want: number): Promise<void> {
		const name = await this.#name
		if (want !== this.#want) return
		const channel = new BroadcastChannel(name)
		this.#channel = channel
		channel.onmessage = ({ data }: MessageEvent<Message>) => this.#receive(data)
		channel.postMessage({ kind: 'hello', from: this.#id } satisfies Message)
		const waiting = new AbortController()
		this.#waiting = waiting
		try {
			await navigator.locks.request(name, { signal: waiting.signal }, () => {
				if (want !== this.#want) return
				this.#waiting = undefined
				return new Promise<void>((release) => this.#lead(release))
			})
		} catch {
			// the wait was given up (close): nothing to do
		}
	}

	/** Holds the lock: runs the connection, from the last event id this tab was relayed. */
	#lead(release: () => void): void {
		this.#heard = true
		const connection: Connection = new Connection(this.url, { ...this.#options, lastEventId: this.#lastEventId }, {
			onEvent: (event) => {
				if (this.#leader?.connection !== connection) return
				this.#post({ kind: 'event', event })
				this.#event(event)
			},
			onChange: () => {
				if (this.#leader?.connection !== connection) return
				const { status, error, attempt, lastEventId } = connection
				const state = { status, error: shareError(error), attempt, lastEventId }
				this.#post({ kind: 'state', ...state })
				this.#set({ status, error, attempt, lastEventId })
			}
		})
		this.#leader = { connection, release }
		connection.open()
	}

	#post(message: Message): void {
		this.#channel?.postMessage(message)
	}

	#receive(message: Message): void {
		switch (message.kind) {
			case 'event':
				if (this.#leader) return
				this.#heard = true
				this.#event(message.event)
				return
			case 'state': {
				if (this.#leader) return
				const { error } = message
				let local: SourceError | null = null
				if (error !== null) {
					// the same failure told again (another tab joined): the same error, not a new one
					if (this.#error !== null && errorIds.get(this.#error) === error.id) local = this.#error
					else errorIds.set((local = new SourceError(error.message, { kind: error.kind, status: error.status })), error.id)
				}
				this.#set({ ...message, error: local })
				return
			}
			case 'hello':
				if (!this.#leader) return
				this.#post({ kind: 'snapshot', to: message.from, events: this.#callbacks.snapshot() })
				this.#post({ kind: 'state', status: this.#status, error: shareError(this.#error), attempt: this.#attempt, lastEventId: this.#lastEventId })
				return
			case 'snapshot':
				if (message.to !== this.#id || this.#leader || this.#heard) return
				for (const event of message.events) {
					const given = this.#given.get(event.type)
					if (given !== undefined && given.data === event.data && given.lastEventId === event.lastEventId) continue
					this.#given.set(event.type, event)
					this.#callbacks.onEvent(event)
				}
				return
			case 'reconnect':
				this.#leader?.connection.open()
				this.#leader?.connection.reconnectNow()
				return
		}
	}

	#event(event: ServerSentEvent): void {
		this.#lastEventId = event.lastEventId
		this.#given.set(event.type, event)
		this.#callbacks.onEvent(event)
	}

	#set(state: { status: Status; error: SourceError | null; attempt: number; lastEventId: string }): void {
		this.#status = state.status
		this.#error = state.error
		this.#attempt = state.attempt
		this.#lastEventId = state.lastEventId
		this.#callbacks.onChange()
	}
}

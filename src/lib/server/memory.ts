/**
 * The embedded backend: each channel's history in this process's memory. Channels on it reach
 * the clients of this instance only; for several instances use `svelte-sse/redis`.
 */
import type { Backend, LiveListener, StoredEvent } from './channel.js'

/** Options of `memory()`. */
export interface MemoryOptions {
	/** How many events each channel keeps for replay. Default 1 000; 0 keeps none. */
	history?: number
	/** Also forget events older than this many milliseconds. Default: kept until `history` pushes them out. */
	maxAge?: number
}

interface Log {
	/** The sequence number of `events[0]`; numbers go up by one per event. */
	first: number
	events: Array<{ event: StoredEvent; at: number }>
	listeners: Set<LiveListener>
}

/**
 * A backend that keeps each channel's last events in memory, bounded by count (and age): the
 * default of `channel()`. Ids are `<instance>-<n>`: a client that comes back to another process
 * (or after a restart) with an id of the old one is told its history is lost, never given the
 * wrong events.
 *
 * @example
 * const room = channel('room', { backend: memory({ history: 100, maxAge: 60_000 }) })
 * @throws {RangeError} when `history` or `maxAge` is out of range.
 */
export function memory(options: MemoryOptions = {}): Backend {
	const { history = 1000, maxAge = Infinity } = options
	if (!Number.isSafeInteger(history) || history < 0) throw new RangeError(`history must be a whole number of events, 0 or more, got ${String(history)}.`)
	if (!(typeof maxAge === 'number' && maxAge > 0)) throw new RangeError(`maxAge must be a positive number of milliseconds, got ${String(maxAge)}.`)
	const instance = Math.random().toString(36).slice(2, 10)
	const prefix = `${instance}-`
	const logs = new Map<string, Log>()

	/** The number of an id of this instance, or undefined. */
	const numberOf = (id: string): number | undefined => {
		const digits = id.slice(prefix.length)
		return id.startsWith(prefix) && /^\d+$/.test(digits) ? Number(digits) : undefined
	}

	const logOf = (channel: string): Log => {
		let log = logs.get(channel)
		if (!log) logs.set(channel, (log = { first: 1, events: [], listeners: new Set() }))
		return log
	}

	/** Drops what is over the count or too old. */
	const trim = (log: Log): void => {
		let drop = Math.max(0, log.events.length - history)
		if (maxAge !== Infinity) {
			const oldest = Date.now() - maxAge
			while (drop < log.events.length && log.events[drop]!.at < oldest) drop++
		}
		if (drop === 0) return
		log.events.splice(0, drop)
		log.first += drop
	}

	return {
		async publish(channel, event, data) {
			const log = logOf(channel)
			const stored: StoredEvent = { id: prefix + (log.first + log.events.length), event, data }
			log.events.push({ event: stored, at: Date.now() })
			trim(log)
			for (const listener of [...log.listeners]) listener.event(stored)
			return stored.id
		},
		async subscribe(channel, listener) {
			const { listeners } = logOf(channel)
			listeners.add(listener)
			return () => void listeners.delete(listener)
		},
		async history(channel, after) {
			const number = numberOf(after)
			if (number === undefined) return undefined
			const log = logOf(channel)
			trim(log)
			const next = log.first + log.events.length
			// the event just before the oldest one kept may be gone itself, but nothing after it is
			if (number < log.first - 1 || number >= next) return undefined
			return log.events.slice(number - log.first + 1).map(({ event }) => event)
		},
		async latest(channel, event) {
			const log = logs.get(channel)
			if (!log) return undefined
			trim(log)
			for (let index = log.events.length - 1; index >= 0; index--) {
				const stored = log.events[index]!.event
				if (event === undefined || stored.event === event) return stored
			}
			return undefined
		},
		compare(a, b) {
			// ids of another instance order before this one's: they are never replayed here
			return (numberOf(a) ?? -1) - (numberOf(b) ?? -1)
		}
	}
}

import type { Backend, LiveListener, StoredEvent } from '$lib/server.js'

/**
 * Your own store, for the sake of the example: an append-only log per topic whose records get
 * increasing sequence numbers, with a way to follow new records.
 */
interface Log {
	append(topic: string, record: { event: string; data: string }): Promise<number>
	/** Records with a sequence number above `after`, and the oldest and newest numbers kept. */
	read(topic: string, after: number): Promise<{ oldest: number; newest: number; records: Array<{ seq: number; event: string; data: string }> }>
	last(topic: string, event?: string): Promise<{ seq: number; event: string; data: string } | undefined>
	/** Calls `onRecord` for every record appended from now on; resolves once that holds. */
	follow(topic: string, onRecord: (record: { seq: number; event: string; data: string }) => void, onError: (error: Error) => void): Promise<() => void>
}

const toEvent = ({ seq, event, data }: { seq: number; event: string; data: string }): StoredEvent => ({ id: String(seq), event, data })

export function logBackend(log: Log): Backend {
	return {
		// the backend makes the ids: unique in the channel, increasing in publish order
		async publish(channel, event, data) {
			return String(await log.append(channel, { event, data }))
		},
		// resolve only once the subscription is live: the channel relies on it for the seam
		async subscribe(channel, listener: LiveListener) {
			return log.follow(channel, (record) => listener.event(toEvent(record)), (error) => listener.error?.(error))
		},
		// undefined when `after` is not in the history (too old or unknown): the channel then
		// sends HISTORY_LOST instead of a gap
		async history(channel, after) {
			if (!/^\d+$/.test(after)) return undefined
			const { oldest, newest, records } = await log.read(channel, Number(after))
			// older than the oldest record kept (what came after it may be gone), or never made
			if (Number(after) < oldest - 1 || Number(after) > newest) return undefined
			return records.map(toEvent)
		},
		async latest(channel, event) {
			const record = await log.last(channel, event)
			return record && toEvent(record)
		},
		// the order of two ids, for the channel to drop what the replay already gave
		compare: (a, b) => Number(a) - Number(b)
	}
}

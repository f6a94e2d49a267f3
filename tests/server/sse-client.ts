/**
 * A minimal event-stream reader for server tests: fetch plus the library's own parser, no
 * reconnect logic of its own, so a test says exactly when and where it reconnects.
 */
import { createParser, type ServerSentEvent } from '../../src/lib/protocol/index.js'

export interface Reader {
	/** Events received so far, in order. */
	events: ServerSentEvent[]
	/** The last event id the stream set. */
	readonly lastEventId: string
	/** Resolves when the stream ends (by the server, an error or `close`). */
	ended: Promise<void>
	/** Aborts the request. */
	close(): void
}

/** Opens `url` with `lastEventId` (when given) and reads it until it ends or `close()`. */
export async function open(url: string, lastEventId?: string): Promise<Reader> {
	const abort = new AbortController()
	const response = await fetch(url, { headers: lastEventId ? { 'last-event-id': lastEventId } : {}, signal: abort.signal })
	if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`)
	const events: ServerSentEvent[] = []
	const parser = createParser({ lastEventId, onEvent: (event) => events.push(event) })
	const reader = response.body.getReader()
	const ended = (async () => {
		try {
			for (;;) {
				const { done, value } = await reader.read()
				if (done) break
				parser.feed(value)
			}
		} catch {
			// aborted, or the server went away: the test looks at what arrived
		}
	})()
	return {
		events,
		get lastEventId() {
			return parser.lastEventId
		},
		ended,
		close: () => abort.abort()
	}
}

/** The `n` events some readers received, with their ids, in order: what the multi-process tests compare with the store. */
export function received(readers: Reader[]): Array<{ id: string; data: string }> {
	return readers.flatMap((reader) => reader.events.filter((event) => event.type === 'n').map((event) => ({ id: event.lastEventId, data: event.data })))
}

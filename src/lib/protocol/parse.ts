/**
 * The client half of the wire format: an incremental parser that follows the WHATWG
 * processing model for `text/event-stream`. (Interface only; the implementation is being written.)
 */

/** One dispatched event, as an EventSource's MessageEvent would carry it. */
export interface ServerSentEvent {
	/** The event type: the last `event:` field, or "message" when absent or empty. */
	type: string
	/** The `data:` lines joined with LF. */
	data: string
	/** The last event id at the moment of dispatch (persists across events). */
	lastEventId: string
}

export interface ParserOptions {
	/** Called for every dispatched event, synchronously, in order. */
	onEvent: (event: ServerSentEvent) => void
	/** Called with a valid `retry:` value (all ASCII digits). */
	onRetry?: (milliseconds: number) => void
	/** Called with the text of each comment line (without the leading colon). */
	onComment?: (text: string) => void
	/** Called once when the stream breaks a limit; the parser then ignores input. */
	onError?: (error: ParseError) => void
	/** The last event id the stream starts with (the one sent as `Last-Event-ID`). */
	lastEventId?: string
	/** Most bytes one event (or one line) may buffer before the parser gives up. */
	maxBufferSize?: number
}

export interface Parser {
	/** Feeds the next chunk of the stream's bytes. */
	feed(chunk: Uint8Array): void
	/** Ends the stream: an unfinished event is dropped, per the spec. */
	end(): void
	/** The last event id string, updated at each dispatch (also by events with no data). */
	readonly lastEventId: string
}

export const DEFAULT_MAX_BUFFER_SIZE = 8 * 1024 * 1024

export class ParseError extends Error {
	override name = 'ParseError'
}

export function createParser(options: ParserOptions): Parser {
	void options
	throw new Error('not implemented')
}

/**
 * The client half of the wire format: an incremental parser that follows the WHATWG
 * processing model for `text/event-stream`.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
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

/** Callbacks and limits for {@link createParser}. */
export interface ParserOptions {
	/** Called for every dispatched event, synchronously, in order. */
	onEvent: (event: ServerSentEvent) => void
	/** Called with a valid `retry:` value (all ASCII digits). */
	onRetry?: (milliseconds: number) => void
	/**
	 * Called with the text of each comment line, without the colon and without one space
	 * after it (`: ping` and `:ping` both give "ping"), the same way field values are read.
	 */
	onComment?: (text: string) => void
	/**
	 * Called once when the stream breaks a limit; the parser then ignores input until `end()`.
	 * Without it, `feed()` throws the error instead.
	 */
	onError?: (error: ParseError) => void
	/**
	 * The last event id the stream starts with (the one sent as `Last-Event-ID`). Events carry
	 * it until the stream sends an `id:` of its own. (The spec's id buffer starts empty on each
	 * stream; Chromium's starts from the last event id, as this one does, so that a resumed
	 * stream's first events keep their position.)
	 */
	lastEventId?: string
	/**
	 * Most characters (UTF-16 code units of decoded text, never more than the bytes they came
	 * from) that one event may buffer: the line being read, field name included, plus the event's
	 * data so far. The outcome does not depend on how the stream is cut into chunks.
	 * Defaults to {@link DEFAULT_MAX_BUFFER_SIZE}.
	 */
	maxBufferSize?: number
}

/** An incremental `text/event-stream` parser, fed the response body chunk by chunk. */
export interface Parser {
	/**
	 * Feeds the next chunk of the stream's bytes. Callbacks run synchronously inside this call;
	 * an exception thrown by one propagates out and the rest of that chunk is lost.
	 */
	feed(chunk: Uint8Array): void
	/**
	 * Ends the stream: an unfinished event is dropped, per the spec. The parser is then ready
	 * for the next stream (a reconnection), keeping only `lastEventId`.
	 */
	end(): void
	/** The last event id string, updated at each dispatch (also by events with no data). */
	readonly lastEventId: string
}

/**
 * The default {@link ParserOptions.maxBufferSize}: 16 Mi characters. `produce()` sends an event
 * of any size; this default takes any event up to 16 MiB of text, larger than browsers and
 * proxies handle comfortably.
 */
export const DEFAULT_MAX_BUFFER_SIZE = 16 * 1024 * 1024

/** Reported (or thrown) when a stream breaks a limit of the parser. */
export class ParseError extends Error {
	override name = 'ParseError'
}

const LF = 10
const CR = 13
const SPACE = 32
const COLON = 58
const BOM = 0xfeff

/** Options of every streaming decode, made once rather than per chunk. */
const STREAM: TextDecodeOptions = { stream: true }

/** One string per ASCII byte, so a one-byte chunk costs no decoder call and no allocation. */
const ASCII: readonly string[] = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code))

/**
 * Creates an incremental parser for a `text/event-stream` body, following the WHATWG
 * processing model: UTF-8 decoding across chunks, one leading BOM stripped, CR, LF and CRLF
 * line endings, `id` persistence, digits-only `retry`, and unfinished events dropped at the end.
 *
 * @throws {RangeError} when `maxBufferSize` is not a positive number.
 * @example
 * const parser = createParser({ onEvent: (event) => console.log(event.type, event.data) })
 * for await (const chunk of response.body) parser.feed(chunk)
 * parser.end()
 */
export function createParser(options: ParserOptions): Parser {
	const { onEvent, onRetry, onComment, onError } = options
	const maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE
	if (!(maxBufferSize > 0)) {
		throw new RangeError(`maxBufferSize must be a positive number, got ${String(maxBufferSize)}.`)
	}

	// The BOM is handled here rather than by the decoders because one-byte ASCII chunks bypass
	// them, which would then mistake a later U+FEFF for the stream's first character.
	// Two decoders, because engines decode the two kinds of text at very different speeds
	// (Node's one-shot decode of pure ASCII is several times faster than a streaming one, and
	// two to three times slower on text with other characters; a decoder that has streamed once never
	// takes the fast one-shot path again). `whole` only ever decodes whole chunks in one shot;
	// `streaming` takes every chunk that may carry an unfinished character in or out.
	const whole = new TextDecoder('utf-8', { ignoreBOM: true })
	const streaming = new TextDecoder('utf-8', { ignoreBOM: true })
	// True while `streaming` holds no bytes of an unfinished character. Only then may a chunk
	// go to `whole` or skip decoding. A chunk ending in an ASCII byte always leaves it empty.
	let decoderIdle = true
	// The last chunk decoded had characters other than ASCII: the next one likely has too, and
	// goes to `streaming` even when it could go to `whole`. A guess: it only decides the speed.
	let wide = false
	let atStart = true
	// The previous text ended in CR: a LF starting the next text completes that CRLF.
	let skipLF = false
	let stopped = false
	let pending = ''

	let data = ''
	let hasData = false
	let eventType = ''
	let lastEventId = options.lastEventId ?? ''
	let idBuffer = lastEventId

	function overflow(): void {
		stopped = true
		pending = ''
		data = ''
		hasData = false
		const error = new ParseError(
			`The event stream buffered more than maxBufferSize (${maxBufferSize} characters) for one event; the rest of the stream is ignored.`
		)
		if (onError) onError(error)
		else throw error
	}

	function dispatch(): void {
		lastEventId = idBuffer
		if (!hasData) {
			eventType = ''
			return
		}
		// The buffers are reset before the callback so that a throwing handler cannot make the
		// same event dispatch twice.
		const event: ServerSentEvent = { type: eventType === '' ? 'message' : eventType, data, lastEventId }
		data = ''
		hasData = false
		eventType = ''
		onEvent(event)
	}

	// No limit check here: every line is checked with the data before it, and a data line adds
	// less to the data than its own length.
	function appendData(value: string): void {
		if (hasData) {
			data = data + '\n' + value
		} else {
			data = value
			hasData = true
		}
	}

	/**
	 * Processes the line `text[start, end)`. The character at `end` is its terminator or
	 * the end of `text`, never a letter, so a field name is matched character by character in
	 * place, stopping at the first that differs: no slice of the name, no search for the colon.
	 * Only four field names mean anything; any other line is ignored.
	 */
	function line(text: string, start: number, end: number): void {
		if (start === end) return dispatch()
		let value = -1
		switch (text.charCodeAt(start)) {
			case COLON:
				if (onComment) onComment(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end))
				return
			case 100: // data
				if (text.charCodeAt(start + 1) === 97 && text.charCodeAt(start + 2) === 116 && text.charCodeAt(start + 3) === 97) {
					value = valueAfter(text, start + 4, end)
				}
				if (value !== -1) appendData(text.slice(value, end))
				return
			case 101: // event
				if (
					text.charCodeAt(start + 1) === 118 &&
					text.charCodeAt(start + 2) === 101 &&
					text.charCodeAt(start + 3) === 110 &&
					text.charCodeAt(start + 4) === 116
				) {
					value = valueAfter(text, start + 5, end)
				}
				if (value !== -1) eventType = text.slice(value, end)
				return
			case 105: // id
				if (text.charCodeAt(start + 1) === 100) value = valueAfter(text, start + 2, end)
				if (value !== -1 && !hasNul(text, value, end)) idBuffer = text.slice(value, end)
				return
			case 114: // retry
				if (
					text.charCodeAt(start + 1) === 101 &&
					text.charCodeAt(start + 2) === 116 &&
					text.charCodeAt(start + 3) === 114 &&
					text.charCodeAt(start + 4) === 121
				) {
					value = valueAfter(text, start + 5, end)
				}
				if (value !== -1 && onRetry && isDigits(text, value, end)) onRetry(parseInt(text.slice(value, end), 10))
		}
	}

	/** Splits decoded text into lines, carrying an unfinished last line over to the next call. */
	function process(text: string): void {
		const length = text.length
		if (length === 0) return
		let pos = 0
		if (atStart) {
			atStart = false
			if (text.charCodeAt(0) === BOM) pos = 1
		}
		if (skipLF) {
			if (pos === length) return
			skipLF = false
			if (text.charCodeAt(pos) === LF) pos++
		}
		// -1 means "none left"; a found index is reused until the scan passes it, so text
		// without CR is searched for CR once, not once per line.
		let cr = text.indexOf('\r', pos)
		let lf = text.indexOf('\n', pos)

		if (pending !== '') {
			if (cr === -1 && lf === -1) {
				pending += pos === 0 ? text : text.slice(pos)
				if (pending.length + data.length > maxBufferSize) overflow()
				return
			}
			const end = lf === -1 || (cr !== -1 && cr < lf) ? cr : lf
			const joined = pending + text.slice(pos, end)
			pending = ''
			if (joined.length + data.length > maxBufferSize) return overflow()
			line(joined, 0, joined.length)
			if (stopped) return
			pos = end + 1
			if (end === cr) {
				if (pos === length) {
					skipLF = true
					return
				}
				if (text.charCodeAt(pos) === LF) pos++
			}
		}

		// Ends when the text does, without a search for a line that cannot be there.
		while (pos < length) {
			if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos)
			if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos)
			let end: number
			if (lf === -1) {
				if (cr === -1) break
				end = cr
			} else {
				end = cr !== -1 && cr < lf ? cr : lf
			}
			if (end - pos + data.length > maxBufferSize) return overflow()
			// The two commonest lines, a blank line and a data line, are handled inline.
			if (end === pos) {
				dispatch()
			} else if (
				text.charCodeAt(pos) === 100 &&
				text.charCodeAt(pos + 1) === 97 &&
				text.charCodeAt(pos + 2) === 116 &&
				text.charCodeAt(pos + 3) === 97 &&
				text.charCodeAt(pos + 4) === COLON
			) {
				const value = text.slice(text.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5, end)
				if (hasData) {
					data = data + '\n' + value
				} else if (text.charCodeAt(end) === LF && text.charCodeAt(end + 1) === LF) {
					// A one-line event ("data: x" and a blank line) needs no data buffer at all.
					lastEventId = idBuffer
					const type = eventType === '' ? 'message' : eventType
					eventType = ''
					pos = end + 2
					onEvent({ type, data: value, lastEventId })
					continue
				} else {
					data = value
					hasData = true
				}
			} else {
				line(text, pos, end)
				if (stopped) return
			}
			pos = end + 1
			if (end === cr) {
				if (pos === length) {
					skipLF = true
					return
				}
				if (text.charCodeAt(pos) === LF) pos++
			}
		}

		if (pos < length) {
			pending = text.slice(pos)
			if (pending.length + data.length > maxBufferSize) overflow()
		}
	}

	/** The one-byte-chunk path: an ASCII byte, with the decoder known to be idle. */
	function byte(code: number): void {
		atStart = false
		if (skipLF) {
			skipLF = false
			if (code === LF) return
		}
		if (code === LF || code === CR) {
			const finished = pending
			pending = ''
			if (code === CR) skipLF = true
			line(finished, 0, finished.length)
			return
		}
		pending += ASCII[code]
		if (pending.length + data.length > maxBufferSize) overflow()
	}

	return {
		feed(chunk: Uint8Array): void {
			if (stopped) return
			const size = chunk.length
			if (size === 0) return
			const last = chunk[size - 1]
			let text: string
			if (decoderIdle && last < 0x80) {
				if (size === 1) return byte(last)
				// Nothing is carried in or out, so either decoder gives the same text.
				text = wide ? streaming.decode(chunk, STREAM) : whole.decode(chunk)
			} else {
				decoderIdle = last < 0x80
				text = streaming.decode(chunk, STREAM)
			}
			// Fewer characters than bytes: some took more than one byte.
			wide = text.length < size
			process(text)
		},
		end(): void {
			// Flushing resets the decoder; whatever it returns has no line terminator, so it
			// could only have ended an unfinished line, which is dropped with the event.
			streaming.decode()
			decoderIdle = true
			atStart = true
			skipLF = false
			stopped = false
			pending = ''
			data = ''
			hasData = false
			eventType = ''
			idBuffer = lastEventId
		},
		get lastEventId(): string {
			return lastEventId
		}
	}
}

/**
 * Where the value starts in a line `[…, end)` whose field name ends at `colon`: past the colon
 * and one space after it, or at `end` for a line that is only the name; -1 when the name goes
 * on (the line is another field).
 */
function valueAfter(text: string, colon: number, end: number): number {
	if (colon === end) return end
	if (text.charCodeAt(colon) !== COLON) return -1
	// the character at `end` is a terminator or past the text, never a space
	return text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1
}

/** True when `text[start, end)` holds a NUL, which makes an id line ignored. */
function hasNul(text: string, start: number, end: number): boolean {
	for (let i = start; i < end; i++) {
		if (text.charCodeAt(i) === 0) return true
	}
	return false
}

/** True for a non-empty run of ASCII digits only, `text[start, end)`: the one shape `retry:` accepts. */
function isDigits(text: string, start: number, end: number): boolean {
	if (start === end) return false
	for (let i = start; i < end; i++) {
		const code = text.charCodeAt(i)
		if (code < 48 || code > 57) return false
	}
	return true
}

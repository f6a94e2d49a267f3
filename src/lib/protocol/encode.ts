/**
 * The server half of the wire format: turns one event into one chunk of bytes.
 *
 * Every chunk is a complete event (or comment block), so a transport that writes chunks
 * whole can never interleave two events or end one early.
 */

/** One event as it goes on the wire. */
export interface EventMessage {
	/** The event type; omitted on the wire when undefined (the client then sees "message"). */
	event?: string
	/** The payload; each line of it becomes one `data:` line. */
	data: string
	/** Sets the client's last event id (sent back as `Last-Event-ID` when it reconnects). */
	id?: string
	/** Tells the client how many milliseconds to wait before reconnecting. */
	retry?: number
}

/** Thrown by the encoder for input that cannot be framed safely; nothing is written. */
export class ProtocolError extends Error {
	override name = 'ProtocolError'
}

const utf8 = new TextEncoder()
const LINE_BREAK = /\r\n|\r|\n/
const UNSAFE_FIELD = /[\r\n\0]/

/**
 * UTF-8 cannot carry a lone surrogate: TextEncoder would turn it into U+FFFD, silently
 * changing the data, so such strings are refused instead.
 */
function checkWellFormed(what: string, value: string): void {
	if (!value.isWellFormed()) {
		throw new ProtocolError(`The ${what} contains a lone surrogate (half of a UTF-16 pair), which UTF-8 cannot encode.`)
	}
}

/**
 * Checks a field that must stay on one line. A CR or LF would start a new field or end the
 * event early; a NUL in an id makes clients ignore it, so both are refused.
 */
function checkField(field: 'event' | 'id', value: unknown): string {
	if (typeof value !== 'string') {
		throw new ProtocolError(`The ${field} must be a string, got ${typeof value}.`)
	}
	if (UNSAFE_FIELD.test(value)) {
		throw new ProtocolError(`The ${field} ${JSON.stringify(value)} contains CR, LF or NUL, which cannot be sent.`)
	}
	checkWellFormed(field, value)
	return value
}

/** Checks a reconnection delay in milliseconds. */
export function checkRetry(retry: unknown): number {
	if (typeof retry !== 'number' || !Number.isSafeInteger(retry) || retry < 0) {
		throw new ProtocolError(`retry must be a non-negative integer number of milliseconds, got ${String(retry)}.`)
	}
	return retry
}

/** Writes one `data:` line per line of `data`, splitting on CRLF, LF and CR alike. */
function dataLines(data: string): string {
	if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) {
		return data === '' ? 'data:\n' : `data: ${data}\n`
	}
	let out = ''
	for (const line of data.split(LINE_BREAK)) out += line === '' ? 'data:\n' : `data: ${line}\n`
	return out
}

/**
 * Encodes one event as one chunk: `id:`, `event:`, `retry:`, the `data:` lines, a blank line.
 *
 * @throws {ProtocolError} when the event name or id contains CR, LF or NUL, when `retry` is
 * not a non-negative integer, or when `data` is not a string.
 * @example
 * encodeEvent({ event: 'tick', data: 'a\nb', id: '7' }) // "id: 7\nevent: tick\ndata: a\ndata: b\n\n"
 */
export function encodeEvent(message: EventMessage): Uint8Array {
	return utf8.encode(formatEvent(message))
}

/** The text of {@link encodeEvent}, for transports that write strings. */
export function formatEvent({ event, data, id, retry }: EventMessage): string {
	let out = ''
	if (id !== undefined) out += `id: ${checkField('id', id)}\n`
	if (event !== undefined) out += `event: ${checkField('event', event)}\n`
	if (retry !== undefined) out += `retry: ${checkRetry(retry)}\n`
	if (typeof data !== 'string') {
		throw new ProtocolError(`The data must be a string, got ${typeof data}.`)
	}
	checkWellFormed('data', data)
	return out + dataLines(data) + '\n'
}

/** The UTF-8 size of the text {@link formatSized} returned last. */
export const sized = { bytes: 0 }

// The last event name formatSized checked, with its line: most streams send few names, and a
// name is checked once until another name comes.
let knownName: string | undefined
let knownLine = ''
let knownBytes = 0

/**
 * {@link formatEvent} for one `emit`, without a message object: the same text and the same
 * checks, and its UTF-8 size in `sized.bytes`, counted from the parts (only the data and id are
 * scanned, never the whole event, which would flatten it).
 *
 * @throws {ProtocolError} as formatEvent does.
 */
export function formatSized(event: string | undefined, data: string, id: string | undefined): string {
	let head = ''
	let bytes = 1
	if (id !== undefined) {
		head = `id: ${checkField('id', id)}\n`
		bytes += 5 + utf8Length(id)
	}
	if (event !== undefined) {
		if (event !== knownName) {
			knownLine = `event: ${checkField('event', event)}\n`
			knownBytes = 8 + utf8Length(event)
			knownName = event
		}
		head += knownLine
		bytes += knownBytes
	}
	if (typeof data !== 'string') throw new ProtocolError(`The data must be a string, got ${typeof data}.`)
	checkWellFormed('data', data)
	let body: string
	if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) {
		body = data === '' ? 'data:\n\n' : `data: ${data}\n\n`
		bytes += data === '' ? 6 : 7 + utf8Length(data)
	} else {
		body = dataLines(data) + '\n'
		bytes = bytes - 1 + utf8Length(body)
	}
	sized.bytes = bytes
	return head + body
}

/**
 * Encodes a comment block (`: text`), which clients ignore: used for keep-alive pings and to
 * open the stream at once. Text with line breaks becomes several comment lines.
 */
export function encodeComment(text = ''): Uint8Array {
	let out = ''
	for (const line of String(text).split(LINE_BREAK)) out += line === '' ? ':\n' : `: ${line}\n`
	return utf8.encode(out + '\n')
}

const NON_ASCII = /[^\x00-\x7f]/

// Node's (and Bun's) Buffer.byteLength counts in native code: past a few dozen characters it is
// several times faster than any scan written here (a regular expression costs about 1 ns a
// character). Browsers and other runtimes use the scan.
const nativeByteLength = (globalThis as { Buffer?: { byteLength(text: string, encoding: 'utf8'): number } }).Buffer?.byteLength

/** How many bytes `text` takes in UTF-8, without encoding it. Expects well-formed text. */
export function utf8Length(text: string): number {
	if (text.length > 64 && nativeByteLength !== undefined) return nativeByteLength(text, 'utf8')
	if (!NON_ASCII.test(text)) return text.length
	let bytes = 0
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i)
		if (code < 0x80) bytes += 1
		else if (code < 0x800) bytes += 2
		else if (code >= 0xd800 && code < 0xdc00) {
			// a surrogate pair: one astral character, four bytes
			bytes += 4
			i++
		} else bytes += 3
	}
	return bytes
}

/** Encodes a lone `retry:` field, which sets the client's reconnection delay. */
export function encodeRetry(retry: number): Uint8Array {
	return utf8.encode(`retry: ${checkRetry(retry)}\n\n`)
}

/**
 * The name of the event a channel sends first when a client's `Last-Event-ID` is older than the
 * channel's history (or unknown): the events in between are gone, so the app should fetch its
 * state afresh. Its id is the channel's latest id, so the stream carries on from there (on an
 * empty channel it sets no id: the client keeps its own, and is told again if it comes back
 * before anything is published); its data is JSON `{ "lastEventId": the id the client sent,
 * "latest": that latest id or null }`.
 */
export const HISTORY_LOST = 'svelte-sse:history-lost'

import { describe, expect, it } from 'vitest'
import { createParser, DEFAULT_MAX_BUFFER_SIZE, ParseError, type ServerSentEvent } from '../../src/lib/protocol/parse.js'
import { cut, event, expectParsed, parseChunks, toBytes, type Expected, type Piece } from './parse-helpers.js'

/**
 * One rule of the WHATWG event stream interpretation: a stream (or its chunks) and what the
 * parser must report for it. Every vector runs on the whole stream as one chunk, on one byte
 * per chunk, on the chunks given (if any) and on random chunkings.
 */
interface Vector {
	rule: string
	input: Piece | Piece[]
	expected: Expected
}

const bytes = (...values: number[]) => Uint8Array.from(values)

const decoding: Vector[] = [
	{
		rule: 'strips exactly one leading BOM',
		input: '\uFEFFdata: 1\n\n',
		expected: { events: [event('1')] }
	},
	{
		rule: 'keeps a second BOM as part of the first field name, so nothing dispatches',
		input: '\uFEFF\uFEFFdata:1\n\n',
		expected: {}
	},
	{
		rule: 'keeps a BOM that is not the first character of the stream',
		input: 'data: 1\n\n\uFEFFdata: 2\n\n',
		expected: { events: [event('1')] }
	},
	{
		rule: 'strips a BOM whose bytes arrive in separate chunks',
		input: [bytes(0xef), bytes(0xbb), bytes(0xbf), 'data: 1\n\n'],
		expected: { events: [event('1')] }
	},
	{
		rule: 'decodes UTF-8 characters split between chunks',
		input: ['data: caf', bytes(0xc3), bytes(0xa9, 0x20, 0xe2, 0x82), bytes(0xac, 0xf0, 0x9f), bytes(0x98, 0x80), '\n\n'],
		expected: { events: [event('café €😀')] }
	},
	{
		rule: 'decodes invalid bytes to U+FFFD as TextDecoder does',
		input: [bytes(0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0xc3, 0x0a), bytes(0x64, 0x61, 0x74, 0x61, 0x3a, 0xe2, 0x82, 0x0a, 0x0a)],
		expected: { events: [event('\uFFFD\uFFFD\n\uFFFD')] }
	},
	{
		rule: 'decodes a non-ASCII field name as part of the name',
		input: 'dätä: x\ndata: y\n\n',
		expected: { events: [event('y')] }
	}
]

const lineEndings: Vector[] = [
	{ rule: 'ends lines at LF', input: 'data: a\ndata: b\n\n', expected: { events: [event('a\nb')] } },
	{ rule: 'ends lines at CR', input: 'data: a\rdata: b\r\r', expected: { events: [event('a\nb')] } },
	{ rule: 'ends lines at CRLF', input: 'data: a\r\ndata: b\r\n\r\n', expected: { events: [event('a\nb')] } },
	{
		rule: 'accepts CR, LF and CRLF mixed in one stream',
		input: 'data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r\n',
		expected: { events: [event('a\nb\nc'), event('d')] }
	},
	{
		rule: 'counts a CR ending one chunk and a LF starting the next as one line break',
		input: ['data: a\r', '\ndata: b\r', '\n\r', '\n'],
		expected: { events: [event('a\nb')] }
	},
	{
		rule: 'remembers a chunk-final CR across an empty chunk',
		input: ['data: a\r', new Uint8Array(0), '\ndata: b\n\n'],
		expected: { events: [event('a\nb')] }
	},
	{
		rule: 'remembers a chunk-final CR across an unfinished multi-byte character',
		input: ['data: a\r', bytes(0xc3), bytes(0xa9, 0x0a), 'data: b\n\n'],
		expected: { events: [event('a\nb')] }
	},
	{
		rule: 'treats CR CR as two line breaks, the second one blank',
		input: ['data: a\r', '\rdata: b\n\n'],
		expected: { events: [event('a'), event('b')] }
	},
	{
		rule: 'treats LF CR as two line breaks, the second one blank',
		input: 'data: a\n\rdata: b\n\n',
		expected: { events: [event('a'), event('b')] }
	}
]

const lines: Vector[] = [
	{
		rule: 'reports a comment without its colon and one leading space',
		input: ': ping\n:pong\n:  two\n:\n: \n',
		expected: { comments: ['ping', 'pong', ' two', '', ''] }
	},
	{
		rule: 'neither dispatches nor interrupts an event on a comment',
		input: 'data: a\n: note\ndata: b\n\n',
		expected: { events: [event('a\nb')], comments: ['note'] }
	},
	{
		rule: 'reads a line without a colon as a field name with an empty value',
		input: 'event: x\nevent\ndata\n\n',
		expected: { events: [event('')] }
	},
	{
		rule: 'splits a field at the first colon only',
		input: 'data:a: b:c\n\n',
		expected: { events: [event('a: b:c')] }
	},
	{
		rule: 'removes only one leading space of a value',
		input: 'data:  two\ndata:x\ndata:\tt\ndata: \n\n',
		expected: { events: [event(' two\nx\n\tt\n')] }
	},
	{
		rule: 'keeps trailing spaces of a value',
		input: 'data: a  \n\n',
		expected: { events: [event('a  ')] }
	},
	{
		rule: 'compares field names case-sensitively',
		input: 'Data: a\nDATA: b\nEvent: c\nID: d\nRetry: 5\ndata: e\n\n',
		expected: { events: [event('e')] }
	},
	{
		rule: 'ignores unknown fields',
		input: 'foo: bar\ndata: a\nbaz\n data: c\n\n',
		expected: { events: [event('a')] }
	}
]

const dispatching: Vector[] = [
	{
		rule: 'dispatches an event with the default type "message"',
		input: 'data: hello\n\n',
		expected: { events: [event('hello')] }
	},
	{
		rule: 'joins data lines with LF',
		input: 'data: a\ndata: b\ndata: c\n\n',
		expected: { events: [event('a\nb\nc')] }
	},
	{
		rule: 'dispatches an empty string for one empty data line',
		input: 'data\n\ndata:\n\n',
		expected: { events: [event(''), event('')] }
	},
	{
		rule: 'dispatches one LF for two empty data lines',
		input: 'data:\ndata:\n\n',
		expected: { events: [event('\n')] }
	},
	{
		rule: 'does not dispatch an event without data',
		input: 'event: x\n\nid\n\n\n\n',
		expected: {}
	},
	{
		rule: 'resets the event type of a block without data',
		input: 'event: x\n\ndata: a\n\n',
		expected: { events: [event('a')] }
	},
	{
		rule: 'uses the last event field of a block as the type',
		input: 'event: a\nevent: b\ndata: x\n\n',
		expected: { events: [event('x', 'b')] }
	},
	{
		rule: 'reads an empty event field as "message"',
		input: 'event: a\nevent:\ndata: x\n\nevent\ndata: y\n\n',
		expected: { events: [event('x'), event('y')] }
	},
	{
		rule: 'resets the event type after each dispatch',
		input: 'event: tick\ndata: 1\n\ndata: 2\n\n',
		expected: { events: [event('1', 'tick'), event('2')] }
	},
	{
		rule: 'drops an unfinished event when the stream ends',
		input: 'data: a\n\ndata: b\n',
		expected: { events: [event('a')] }
	},
	{
		rule: 'drops an unterminated last line when the stream ends',
		input: 'data: a\n\ndata: b\n\ndata: c',
		expected: { events: [event('a'), event('b')] }
	},
	{
		rule: 'drops an unfinished multi-byte character when the stream ends',
		input: ['data: a\n', bytes(0xe2, 0x82)],
		expected: {}
	}
]

const ids: Vector[] = [
	{
		rule: 'keeps the last event id for the following events',
		input: 'id: 1\ndata: a\n\ndata: b\n\n',
		expected: { events: [event('a', 'message', '1'), event('b', 'message', '1')], lastEventId: '1' }
	},
	{
		rule: 'resets the last event id on an empty id field',
		input: 'id: 1\ndata: a\n\nid:\ndata: b\n\nid: 2\n\nid\ndata: c\n\n',
		expected: { events: [event('a', 'message', '1'), event('b'), event('c')] }
	},
	{
		rule: 'ignores an id containing NUL',
		input: 'id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n',
		expected: { events: [event('a', 'message', '1'), event('b', 'message', '1')], lastEventId: '1' }
	},
	{
		rule: 'updates the last event id from a block without data, dispatching nothing',
		input: 'id: 7\n\n',
		expected: { lastEventId: '7' }
	},
	{
		rule: 'does not update the last event id from an unfinished block',
		input: 'id: 1\ndata: a\n\nid: 2\ndata: b\n',
		expected: { events: [event('a', 'message', '1')], lastEventId: '1' }
	},
	{
		rule: 'takes the last id field of a block',
		input: 'id: 1\nid: 2\ndata: a\n\n',
		expected: { events: [event('a', 'message', '2')], lastEventId: '2' }
	},
	{
		rule: 'keeps spaces and colons in an id',
		input: 'id:  a:b \ndata: x\n\n',
		expected: { events: [event('x', 'message', ' a:b ')], lastEventId: ' a:b ' }
	}
]

const retries: Vector[] = [
	{
		rule: 'reports a retry of ASCII digits, in base ten',
		input: 'retry: 3000\n\nretry:03000\nretry: 0\n',
		expected: { retries: [3000, 3000, 0] }
	},
	{
		rule: 'ignores a retry that is not only ASCII digits',
		input: 'retry: 1.5\nretry: -1\nretry: 12a\nretry:\nretry\nretry:  1\nretry: 1e3\nretry: ١٢\n',
		expected: {}
	},
	{
		rule: 'does not dispatch or interrupt an event on a retry',
		input: 'data: a\nretry: 10\ndata: b\n\n',
		expected: { events: [event('a\nb')], retries: [10] }
	}
]

describe('parse', () => {
	describe.each([
		['decoding', decoding],
		['line endings', lineEndings],
		['lines and fields', lines],
		['dispatching', dispatching],
		['ids', ids],
		['retry', retries]
	] as const)('%s', (_, table) => {
		it.each(table)('$rule', ({ input, expected }) => {
			expectParsed(input, expected)
		})
	})

	describe('decoding, chunk after chunk', () => {
		// ASCII events and events with 2-, 3- and 4-byte characters, in runs, so that chunks go
		// from one kind of text to the other (the parser decodes the two kinds differently).
		const kinds = ['plain ascii', 'café crème', '東京は晴れ', '🎉 party', 'a\u00e9\u6771\u{1f680}z', 'back to ascii']
		const texts = Array.from({ length: 48 }, (_, i) => `${kinds[Math.floor(i / 3) % kinds.length]} ${i}`)
		const events = texts.map((text, i) => event(text, i % 2 ? 'tick' : 'message', String(i)))
		const pieces = texts.map((text, i) => `${i % 2 ? 'event: tick\n' : ''}id: ${i}\ndata: ${text}\n\n`)

		it('gives the same events, one event per chunk', () => {
			expect(parseChunks(pieces.map(toBytes)).events).toEqual(events)
		})

		it.each([1, 2, 3, 5, 7, 13, 64])('gives the same events in chunks of %i bytes', (size) => {
			expect(parseChunks(cut(toBytes(pieces.join('')), [size])).events).toEqual(events)
		})

		it('gives the same events when an event and the start of a character share a chunk', () => {
			// each chunk: an event, then the first byte of the next one's first non-ASCII character
			const bytes = toBytes(pieces.join(''))
			const sizes: number[] = []
			let from = 0
			for (let at = 1; at < bytes.length; at++) {
				if (bytes[at] >= 0xc0 && bytes[at - 1] < 0x80) {
					sizes.push(at + 1 - from)
					from = at + 1
				}
			}
			sizes.push(bytes.length - from)
			const chunks: Uint8Array[] = []
			let offset = 0
			for (const size of sizes) {
				chunks.push(bytes.subarray(offset, offset + size))
				offset += size
			}
			expect(parseChunks(chunks).events).toEqual(events)
		})
	})

	describe('options', () => {
		it('starts from the given last event id', () => {
			expectParsed('data: a\n\nid: 2\ndata: b\n\n', { events: [event('a', 'message', '1'), event('b', 'message', '2')], lastEventId: '2' }, { lastEventId: '1' })
		})

		it('runs without the optional callbacks', () => {
			const events: ServerSentEvent[] = []
			const parser = createParser({ onEvent: (e) => events.push(e) })
			parser.feed(toBytes(': c\nretry: 5\ndata: a\n\n'))
			expect(events).toEqual([event('a')])
		})

		it('refuses a maxBufferSize that is not a positive number', () => {
			for (const size of [0, -1, Number.NaN]) {
				expect(() => createParser({ onEvent() {}, maxBufferSize: size })).toThrow(RangeError)
			}
		})

		it('defaults maxBufferSize to 16 MiB, above a 10 MiB event', () => {
			expect(DEFAULT_MAX_BUFFER_SIZE).toBe(16 * 1024 * 1024)
			const fits = 'x'.repeat(DEFAULT_MAX_BUFFER_SIZE - 1000)
			const over = 'x'.repeat(DEFAULT_MAX_BUFFER_SIZE + 1)
			const outcome = parseChunks([toBytes(`data: ${fits}\n\ndata: ${over}\n\n`)])
			expect(outcome.events.map((e) => e.data.length)).toEqual([fits.length])
			expect(outcome.errors).toHaveLength(1)
		})
	})

	describe('maxBufferSize', () => {
		const limit = 64
		const big = 'x'.repeat(100)

		it('parses events under the limit, however many', () => {
			const input = `data: ${'y'.repeat(40)}\n\n`.repeat(20)
			expectParsed(input, { events: Array.from({ length: 20 }, () => event('y'.repeat(40))) }, { maxBufferSize: limit })
		})

		it('reports one ParseError naming the limit for a data line over it, and ignores the rest', () => {
			expectParsed(`data: a\n\ndata: ${big}\n\ndata: b\n\n`, { events: [event('a')], errors: [expect.stringContaining('64')] }, { maxBufferSize: limit })
		})

		it('counts all data lines of one event together', () => {
			const line = `data: ${'z'.repeat(30)}\n`
			expectParsed(`${line}${line}${line}\ndata: b\n\n`, { errors: [expect.stringContaining('maxBufferSize')] }, { maxBufferSize: limit })
		})

		it('counts a data line completed across chunks', () => {
			const first = `data: ${'z'.repeat(30)}\ndata: ${'z'.repeat(20)}`
			expectParsed([first, `${'z'.repeat(20)}\n\n`], { errors: [expect.any(String)] }, { maxBufferSize: limit })
		})

		it('counts an unfinished line that never ends', () => {
			expectParsed(`: ${big}`, { errors: [expect.any(String)] }, { maxBufferSize: limit })
		})

		it('counts the whole line, field name included, with the data before it, however the stream is cut', () => {
			// every chunking of each input (whole, every split, 1 byte at a time) must agree
			expectParsed(`data: ${'d'.repeat(58)}\n\n`, { events: [event('d'.repeat(58))] }, { maxBufferSize: limit })
			expectParsed(`data: ${'d'.repeat(59)}\n\n`, { errors: [expect.stringContaining('64')] }, { maxBufferSize: limit })
			expectParsed(`: ${'c'.repeat(62)}\ndata: a\n\n`, { events: [event('a')], comments: ['c'.repeat(62)] }, { maxBufferSize: limit })
			expectParsed(`: ${'c'.repeat(63)}\ndata: a\n\n`, { errors: [expect.any(String)] }, { maxBufferSize: limit })
			expectParsed(`event: ${'e'.repeat(57)}\ndata: a\n\n`, { events: [event('a', 'e'.repeat(57))] }, { maxBufferSize: limit })
			expectParsed(`id: ${'i'.repeat(61)}\ndata: a\n\n`, { errors: [expect.any(String)] }, { maxBufferSize: limit })
			// 30 characters of data so far, then a line of 35: 65 in all
			expectParsed(`data: ${'a'.repeat(30)}\ndata: ${'b'.repeat(29)}\n\n`, { errors: [expect.any(String)] }, { maxBufferSize: limit })
			expectParsed(`data: ${'a'.repeat(30)}\ndata: ${'b'.repeat(28)}\n\n`, { events: [event(`${'a'.repeat(30)}\n${'b'.repeat(28)}`)] }, { maxBufferSize: limit })
		})

		it('stops buffering as soon as the limit is passed', () => {
			const errors: ParseError[] = []
			const parser = createParser({ onEvent() {}, onError: (error) => errors.push(error), maxBufferSize: limit })
			const stream = toBytes(`data: ${'x'.repeat(1000)}`)
			let fedWhenReported = -1
			for (const [index, chunk] of cut(stream, [1]).entries()) {
				parser.feed(chunk)
				if (errors.length > 0 && fedWhenReported === -1) fedWhenReported = index + 1
			}
			expect(errors).toHaveLength(1)
			expect(errors[0]).toBeInstanceOf(ParseError)
			expect(fedWhenReported).toBe(limit + 1)
		})

		it('throws the ParseError from feed() when there is no onError, then ignores input', () => {
			const events: ServerSentEvent[] = []
			const parser = createParser({ onEvent: (e) => events.push(e), maxBufferSize: limit })
			parser.feed(toBytes('data: a\n\n'))
			expect(() => parser.feed(toBytes(`data: ${big}\n`))).toThrow(ParseError)
			expect(() => parser.feed(toBytes('data: b\n\n'))).not.toThrow()
			expect(events).toEqual([event('a')])
		})

		it('throws from feed() one byte at a time too', () => {
			const parser = createParser({ onEvent() {}, maxBufferSize: limit })
			const thrown: unknown[] = []
			for (const chunk of cut(toBytes(`data: ${big}`), [1])) {
				try {
					parser.feed(chunk)
				} catch (error) {
					thrown.push(error)
				}
			}
			expect(thrown).toHaveLength(1)
			expect(thrown[0]).toBeInstanceOf(ParseError)
		})
	})

	describe('end', () => {
		it('readies the parser for the next stream, keeping only the last event id', () => {
			const events: ServerSentEvent[] = []
			const parser = createParser({ onEvent: (e) => events.push(e) })
			parser.feed(toBytes('id: 1\ndata: a\n\nevent: x\nid: 2\ndata: lost\r'))
			parser.end()
			parser.feed(toBytes('\uFEFFdata: b\n\n'))
			expect(events).toEqual([event('a', 'message', '1'), event('b', 'message', '1')])
			expect(parser.lastEventId).toBe('1')
		})

		it('lifts the maxBufferSize stop for the next stream', () => {
			const outcome: string[] = []
			const parser = createParser({ onEvent: (e) => outcome.push(e.data), onError: () => outcome.push('error'), maxBufferSize: 16 })
			parser.feed(toBytes(`data: ${'x'.repeat(20)}\n\n`))
			parser.end()
			parser.feed(toBytes('data: ok\n\n'))
			expect(outcome).toEqual(['error', 'ok'])
		})
	})
})

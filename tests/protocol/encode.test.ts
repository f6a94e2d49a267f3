import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
	checkRetry,
	encodeComment,
	encodeEvent,
	encodeRetry,
	formatEvent,
	formatSized,
	ProtocolError,
	sized,
	utf8Length,
	type EventMessage
} from '../../src/lib/protocol/encode.js'

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const ascii = (value: string) => Array.from(value, (char) => char.charCodeAt(0))

/** Calls the encoder with a value its types forbid, as untyped JavaScript callers can. */
const encodeUntyped = (message: Record<string, unknown>) => encodeEvent(message as unknown as EventMessage)

describe('encodeEvent', () => {
	it('writes data alone as one data line and a blank line', () => {
		expect(text(encodeEvent({ data: 'hello' }))).toBe('data: hello\n\n')
	})

	it('writes id, event and retry before the data, in that order', () => {
		expect(text(encodeEvent({ retry: 1000, data: 'a', event: 'tick', id: '7' }))).toBe(
			'id: 7\nevent: tick\nretry: 1000\ndata: a\n\n'
		)
	})

	it('writes each field alone', () => {
		expect(text(encodeEvent({ id: '42', data: 'x' }))).toBe('id: 42\ndata: x\n\n')
		expect(text(encodeEvent({ event: 'update', data: 'x' }))).toBe('event: update\ndata: x\n\n')
		expect(text(encodeEvent({ retry: 0, data: 'x' }))).toBe('retry: 0\ndata: x\n\n')
	})

	it('writes an empty id, which resets the client’s last event id', () => {
		expect(text(encodeEvent({ id: '', data: 'x' }))).toBe('id: \ndata: x\n\n')
	})

	it('writes one data line per LF-separated line', () => {
		expect(text(encodeEvent({ data: 'a\nb' }))).toBe('data: a\ndata: b\n\n')
	})

	it('splits data on CRLF', () => {
		expect(text(encodeEvent({ data: 'a\r\nb' }))).toBe('data: a\ndata: b\n\n')
	})

	it('splits data on a lone CR', () => {
		expect(text(encodeEvent({ data: 'a\rb' }))).toBe('data: a\ndata: b\n\n')
	})

	it('splits data on mixed line breaks, keeping empty lines', () => {
		expect(text(encodeEvent({ data: 'a\r\nb\rc\nd\n\ne\r\r\n' }))).toBe(
			'data: a\ndata: b\ndata: c\ndata: d\ndata:\ndata: e\ndata:\ndata:\n\n'
		)
	})

	it('writes empty data as "data:" so the event still dispatches', () => {
		expect(text(encodeEvent({ data: '' }))).toBe('data:\n\n')
	})

	it('preserves leading spaces of data behind the one separating space', () => {
		expect(text(encodeEvent({ data: '  x\n y' }))).toBe('data:   x\ndata:  y\n\n')
	})

	it('preserves leading spaces of the event name and id', () => {
		expect(text(encodeEvent({ id: ' 1', event: ' e', data: 'x' }))).toBe('id:  1\nevent:  e\ndata: x\n\n')
	})

	it('encodes unicode as UTF-8, astral characters included', () => {
		expect(Array.from(encodeEvent({ event: 'é', data: '€😀' }))).toEqual([
			...ascii('event: '),
			0xc3,
			0xa9,
			0x0a,
			...ascii('data: '),
			0xe2,
			0x82,
			0xac,
			0xf0,
			0x9f,
			0x98,
			0x80,
			0x0a,
			0x0a
		])
	})

	it('passes NUL in data through unchanged', () => {
		expect(Array.from(encodeEvent({ data: 'a\0b' }))).toEqual([...ascii('data: a'), 0, ...ascii('b\n\n')])
	})

	it.each(['\r', '\n', '\0', 'a\r\nb'])('refuses an event name containing %j', (bad) => {
		expect(() => encodeEvent({ event: `tick${bad}`, data: 'x' })).toThrow(ProtocolError)
		expect(() => encodeEvent({ event: `tick${bad}`, data: 'x' })).toThrow(/contains CR, LF or NUL/)
	})

	it.each(['\r', '\n', '\0', 'a\r\nb'])('refuses an id containing %j', (bad) => {
		expect(() => encodeEvent({ id: `1${bad}`, data: 'x' })).toThrow(ProtocolError)
		expect(() => encodeEvent({ id: `1${bad}`, data: 'x' })).toThrow(/contains CR, LF or NUL/)
	})

	it.each([42, null, {}])('refuses a non-string event name or id (%j)', (bad) => {
		expect(() => encodeUntyped({ event: bad, data: 'x' })).toThrow(ProtocolError)
		expect(() => encodeUntyped({ id: bad, data: 'x' })).toThrow(ProtocolError)
	})

	it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '5', null])(
		'refuses a retry that is not a non-negative integer (%j)',
		(bad) => {
			expect(() => encodeUntyped({ retry: bad, data: 'x' })).toThrow(ProtocolError)
		}
	)

	it.each(['\ud83d', 'a\ude00b'])('refuses a lone surrogate rather than sending U+FFFD (%j)', (bad) => {
		expect(() => encodeEvent({ data: bad })).toThrow(/lone surrogate/)
		expect(() => encodeEvent({ event: bad, data: 'x' })).toThrow(ProtocolError)
		expect(() => encodeEvent({ id: bad, data: 'x' })).toThrow(ProtocolError)
	})

	it.each([undefined, null, 5, { a: 1 }, ['a']])('refuses non-string data (%j)', (bad) => {
		expect(() => encodeUntyped({ data: bad })).toThrow(ProtocolError)
		expect(() => encodeUntyped({ data: bad })).toThrow(/data must be a string/)
	})
})

describe('formatEvent', () => {
	it('returns the text that encodeEvent encodes', () => {
		const message = { id: '1', event: 'e', retry: 5, data: 'a\r\nb' }
		expect(formatEvent(message)).toBe('id: 1\nevent: e\nretry: 5\ndata: a\ndata: b\n\n')
		expect(text(encodeEvent(message))).toBe(formatEvent(message))
	})
})

describe('encodeComment', () => {
	it('writes a comment line and a blank line', () => {
		expect(text(encodeComment('ping'))).toBe(': ping\n\n')
	})

	it('writes a bare colon for an empty comment', () => {
		expect(text(encodeComment())).toBe(':\n\n')
		expect(text(encodeComment(''))).toBe(':\n\n')
	})

	it('writes one comment line per line of text, whatever the line break', () => {
		expect(text(encodeComment('a\nb\r\nc\rd'))).toBe(': a\n: b\n: c\n: d\n\n')
	})
})

describe('encodeRetry', () => {
	it('writes a lone retry field and a blank line', () => {
		expect(text(encodeRetry(5000))).toBe('retry: 5000\n\n')
		expect(text(encodeRetry(0))).toBe('retry: 0\n\n')
	})

	it.each([-1, 1.5, Number.NaN])('refuses %j', (bad) => {
		expect(() => encodeRetry(bad)).toThrow(ProtocolError)
	})
})

describe('checkRetry', () => {
	it('returns a non-negative integer unchanged', () => {
		expect(checkRetry(0)).toBe(0)
		expect(checkRetry(3000)).toBe(3000)
	})

	it('refuses anything else with a readable message', () => {
		expect(() => checkRetry(-5)).toThrow('retry must be a non-negative integer number of milliseconds, got -5.')
		expect(() => checkRetry('3000')).toThrow(ProtocolError)
	})
})

describe('utf8Length', () => {
	it.each(['', 'ascii only', 'é', '€uro', '😀 astral', 'mixed é€😀\n', 'a'.repeat(1000) + '😀'])('counts the UTF-8 bytes of %j', (text) => {
		expect(utf8Length(text)).toBe(new TextEncoder().encode(text).byteLength)
	})
})

describe('formatSized', () => {
	const special = fc.constantFrom('\r', '\n', '\r\n', ' ', ':', 'é', '名', '😀', '')
	const text = fc.array(fc.oneof(fc.string({ unit: 'binary' }), special), { maxLength: 6 }).map((parts) => parts.join(''))
	const field = fc.option(text.filter((value) => !/[\r\n\0]/.test(value) && value.isWellFormed()), { nil: undefined })

	it('gives the text of formatEvent and its exact UTF-8 size, or the same error', () => {
		fc.assert(
			fc.property(field, text, field, (event, data, id) => {
				let expected: string | Error
				try {
					expected = formatEvent({ event, data, id })
				} catch (error) {
					expected = error as Error
				}
				if (expected instanceof Error) {
					expect(() => formatSized(event, data, id)).toThrow(expected.message)
					return
				}
				expect(formatSized(event, data, id)).toBe(expected)
				expect(sized.bytes).toBe(new TextEncoder().encode(expected).length)
			}),
			{ numRuns: 2000 }
		)
	})

	it('checks an event name again after another name came between', () => {
		expect(formatSized('tick', 'x', undefined)).toBe('event: tick\ndata: x\n\n')
		expect(() => formatSized('a\nb', 'x', undefined)).toThrow(ProtocolError)
		expect(formatSized('名', 'x', undefined)).toBe('event: 名\ndata: x\n\n')
		expect(sized.bytes).toBe(new TextEncoder().encode('event: 名\ndata: x\n\n').length)
		expect(() => formatSized('a\rb', 'x', '1')).toThrow(ProtocolError)
		expect(() => formatSized('tick', 'x', 'a\nb')).toThrow(ProtocolError)
	})
})

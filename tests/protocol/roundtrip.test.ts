import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeComment, encodeEvent, type EventMessage } from '../../src/lib/protocol/encode.js'
import type { ServerSentEvent } from '../../src/lib/protocol/parse.js'
import { concat, cut, parseChunks } from './parse-helpers.js'

/** Characters the wire format treats specially, mixed into arbitrary text to hit them often. */
const special = fc.constantFrom('\r', '\n', '\r\n', '\0', ' ', ':', '\uFEFF', '😀', 'é', '')
/** Any text of whole code points (a lone surrogate cannot survive UTF-8, by design of TextEncoder). */
const text = fc.array(fc.oneof(fc.string({ unit: 'binary' }), special), { maxLength: 8 }).map((parts) => parts.join(''))
/** A name or id: anything on one line without NUL. */
const field = text.map((value) => value.replace(/[\r\n\0]/g, ''))

const message: fc.Arbitrary<EventMessage> = fc.record(
	{ event: field, id: field, retry: fc.nat(), data: text },
	{ requiredKeys: ['data'] }
)
const item = fc.oneof(
	{ weight: 5, arbitrary: message.map((value) => ({ kind: 'event' as const, value })) },
	{ weight: 1, arbitrary: text.map((value) => ({ kind: 'comment' as const, value })) }
)
/** Chunk sizes cycled over the stream: one byte at a time, or a random pattern. */
const sizes = fc.oneof(fc.constant([1]), fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 6 }))

describe('encodeEvent then parse', () => {
	it('gives back every event, with line breaks in data normalised to LF', () => {
		fc.assert(
			fc.property(fc.array(item, { maxLength: 12 }), sizes, (items, chunkSizes) => {
				const expected: ServerSentEvent[] = []
				const retries: number[] = []
				let lastEventId = ''
				for (const { kind, value } of items) {
					if (kind === 'comment') continue
					if (value.id !== undefined) lastEventId = value.id
					if (value.retry !== undefined) retries.push(value.retry)
					expected.push({
						type: value.event || 'message',
						data: value.data.replace(/\r\n|\r/g, '\n'),
						lastEventId
					})
				}
				const stream = concat(items.map(({ kind, value }) => (kind === 'event' ? encodeEvent(value) : encodeComment(value))))
				const outcome = parseChunks(cut(stream, chunkSizes))
				expect(outcome.events).toEqual(expected)
				expect(outcome.retries).toEqual(retries)
				expect(outcome.lastEventId).toBe(lastEventId)
				expect(outcome.errors).toEqual([])
			}),
			{ numRuns: 300 }
		)
	})
})

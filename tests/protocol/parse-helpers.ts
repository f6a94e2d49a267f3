/**
 * Runs the parser over a stream cut into chunks in many ways, so that every expectation is
 * checked on the whole stream at once, one byte at a time, and at random cut points.
 */
import { expect } from 'vitest'
import { createParser, type ParserOptions, type ServerSentEvent } from '../../src/lib/protocol/parse.js'

/** A piece of a stream: text (encoded as UTF-8) or raw bytes. */
export type Piece = string | Uint8Array

/** Everything a parser reports for one stream. */
export interface Outcome {
	events: ServerSentEvent[]
	retries: number[]
	comments: string[]
	errors: string[]
	lastEventId: string
}

const utf8 = new TextEncoder()

export function toBytes(piece: Piece): Uint8Array {
	return typeof piece === 'string' ? utf8.encode(piece) : piece
}

export function concat(pieces: readonly Piece[]): Uint8Array {
	const parts = pieces.map(toBytes)
	const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
	let offset = 0
	for (const part of parts) {
		out.set(part, offset)
		offset += part.length
	}
	return out
}

/** Feeds `chunks` to a fresh parser, then ends the stream. */
export function parseChunks(chunks: readonly Uint8Array[], options: Partial<ParserOptions> = {}): Outcome {
	const outcome: Outcome = { events: [], retries: [], comments: [], errors: [], lastEventId: '' }
	const parser = createParser({
		onEvent: (event) => outcome.events.push(event),
		onRetry: (milliseconds) => outcome.retries.push(milliseconds),
		onComment: (text) => outcome.comments.push(text),
		onError: (error) => outcome.errors.push(error.message),
		...options
	})
	for (const chunk of chunks) parser.feed(chunk)
	parser.end()
	outcome.lastEventId = parser.lastEventId
	return outcome
}

/** A small deterministic PRNG (mulberry32), so a failing random chunking can be replayed. */
export function random(seed: number): () => number {
	let state = seed >>> 0
	return () => {
		state = (state + 0x6d2b79f5) >>> 0
		let t = state
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

/** Cuts `bytes` at the given sizes, repeated cyclically until the end. */
export function cut(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
	const chunks: Uint8Array[] = []
	let offset = 0
	for (let i = 0; offset < bytes.length; i++) {
		const size = sizes[i % sizes.length]
		chunks.push(bytes.subarray(offset, offset + size))
		offset += size
	}
	return chunks
}

/** The whole stream, every byte on its own, and a few seeded random chunkings (empty chunks included). */
export function chunkings(bytes: Uint8Array, given?: readonly Uint8Array[]): [string, Uint8Array[]][] {
	const out: [string, Uint8Array[]][] = [
		['one chunk', [bytes]],
		['one byte per chunk', cut(bytes, [1])]
	]
	if (given) out.push(['the given chunks', [...given]])
	for (let seed = 1; seed <= 4; seed++) {
		const next = random(seed)
		const chunks: Uint8Array[] = []
		let offset = 0
		while (offset < bytes.length) {
			const size = Math.floor(next() * 8)
			chunks.push(bytes.subarray(offset, offset + size))
			offset += size
		}
		out.push([`random chunking #${seed}`, chunks])
	}
	return out
}

/** What a test expects; errors may be matchers such as `expect.stringContaining(...)`. */
export type Expected = Partial<Omit<Outcome, 'errors'>> & { errors?: unknown[] }

/**
 * Expects the same outcome from every chunking of `input`. An array input is a list of
 * chunks, tried as given as well. Unspecified fields of `expected` are expected empty.
 */
export function expectParsed(
	input: Piece | readonly Piece[],
	expected: Expected,
	options: Partial<ParserOptions> = {}
): void {
	const pieces: readonly Piece[] = typeof input === 'string' || input instanceof Uint8Array ? [input] : input
	const given = pieces.length > 1 ? pieces.map(toBytes) : undefined
	const full: Expected = { events: [], retries: [], comments: [], errors: [], lastEventId: '', ...expected }
	for (const [name, chunks] of chunkings(concat(pieces), given)) {
		expect(parseChunks(chunks, options), name).toEqual(full)
	}
}

/** An expected event. */
export function event(data: string, type = 'message', lastEventId = ''): ServerSentEvent {
	return { type, data, lastEventId }
}

/**
 * Parser throughput: svelte-sse's packaged parser against eventsource-parser, on the same
 * bytes cut three ways (one chunk, 64-byte chunks, 1-byte chunks).
 *
 * Run `npx svelte-package` first, then `node bench/parse.js`.
 */
import { createParser as createPeerParser } from 'eventsource-parser'
import { pathToFileURL } from 'node:url'
import { createParser, encodeComment, encodeEvent } from '../dist/protocol/index.js'

/**
 * @typedef {{ mbPerSecond: number, eventsPerSecond: number, medianMs: number }} Throughput
 * @typedef {{ shape: string, bytes: number, events: number, ours: Throughput, peer: Throughput, ratio: number }} ParseResult
 */

/** A small seeded PRNG (mulberry32), so every run parses the same stream. */
function random(seed) {
	let state = seed >>> 0
	return () => {
		state = (state + 0x6d2b79f5) >>> 0
		let t = state
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

/**
 * A stream shaped like real traffic: short messages, ~200-byte JSON payloads under an event
 * name and id, multi-line data, and an occasional keep-alive comment.
 */
function buildStream(count, seed) {
	const next = random(seed)
	const parts = []
	for (let i = 0; i < count; i++) {
		const roll = next()
		if (roll < 0.4) {
			parts.push(encodeEvent({ data: `hello ${i}` }))
		} else if (roll < 0.75) {
			const payload = {
				id: i,
				user: `user-${Math.floor(next() * 1000)}`,
				text: 'The quick brown fox jumps over the lazy dog. '.repeat(2).trim(),
				tags: ['news', 'sport', 'weather'].slice(0, 1 + Math.floor(next() * 3)),
				at: 1700000000000 + i * 1000
			}
			parts.push(encodeEvent({ event: 'update', id: String(i), data: JSON.stringify(payload) }))
		} else if (roll < 0.9) {
			parts.push(encodeEvent({ id: String(i), data: `line one of ${i}\nline two\nline three, the last` }))
		} else if (roll < 0.95) {
			parts.push(encodeEvent({ event: 'status', data: next() < 0.5 ? 'online' : 'away' }))
		} else {
			parts.push(encodeComment('ping'))
			parts.push(encodeEvent({ data: `after ping ${i}` }))
		}
	}
	const stream = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
	let offset = 0
	for (const part of parts) {
		stream.set(part, offset)
		offset += part.length
	}
	return stream
}

function cut(stream, size) {
	if (size >= stream.length) return [stream]
	const chunks = []
	for (let offset = 0; offset < stream.length; offset += size) chunks.push(stream.subarray(offset, offset + size))
	return chunks
}

/** Our parser takes the bytes as they come off the network. */
function runOurs(chunks) {
	let events = 0
	let characters = 0
	const parser = createParser({
		onEvent(event) {
			events++
			characters += event.data.length
		}
	})
	for (const chunk of chunks) parser.feed(chunk)
	parser.end()
	return { events, characters }
}

/** eventsource-parser takes strings, so it gets what a real client must do: stream-decode each chunk. */
function runPeer(chunks) {
	let events = 0
	let characters = 0
	const decoder = new TextDecoder()
	const parser = createPeerParser({
		onEvent(event) {
			events++
			characters += event.data.length
		}
	})
	for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }))
	parser.feed(decoder.decode())
	return { events, characters }
}

function time(run, chunks) {
	const start = performance.now()
	const result = run(chunks)
	return { ms: performance.now() - start, ...result }
}

function median(values) {
	const sorted = [...values].sort((a, b) => a - b)
	const middle = sorted.length >> 1
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Runs every shape and returns one result per shape; `ratio` is svelte-sse's median
 * throughput over eventsource-parser's (above 1 means svelte-sse is faster).
 *
 * @param {{ rounds?: number, warmup?: number }} [options]
 * @returns {ParseResult[]}
 */
export function runParseBench({ rounds = 31, warmup = 10 } = {}) {
	const large = buildStream(20_000, 1)
	const small = buildStream(2_000, 2)
	const shapes = [
		{ shape: 'one chunk', stream: large, size: Infinity },
		{ shape: '64-byte chunks', stream: large, size: 64 },
		{ shape: '1-byte chunks', stream: small, size: 1 }
	]
	/** @type {ParseResult[]} */
	const results = []
	for (const { shape, stream, size } of shapes) {
		const chunks = cut(stream, size)
		for (let i = 0; i < warmup; i++) {
			runOurs(chunks)
			runPeer(chunks)
		}
		const ours = []
		const peer = []
		let expected
		for (let i = 0; i < rounds; i++) {
			// Alternating which parser goes first spreads drift (GC, thermal) over both.
			const pair = i % 2 ? [time(runPeer, chunks), time(runOurs, chunks)].reverse() : [time(runOurs, chunks), time(runPeer, chunks)]
			const [a, b] = pair
			if (a.events !== b.events || a.characters !== b.characters) {
				throw new Error(`${shape}: svelte-sse saw ${a.events} events (${a.characters} characters), eventsource-parser ${b.events} (${b.characters}).`)
			}
			expected = a.events
			ours.push(a.ms)
			peer.push(b.ms)
		}
		const rate = (ms) => ({
			mbPerSecond: stream.length / 1e6 / (ms / 1000),
			eventsPerSecond: expected / (ms / 1000),
			medianMs: ms
		})
		const oursRate = rate(median(ours))
		const peerRate = rate(median(peer))
		results.push({
			shape,
			bytes: stream.length,
			events: expected,
			ours: oursRate,
			peer: peerRate,
			ratio: oursRate.mbPerSecond / peerRate.mbPerSecond
		})
	}
	return results
}

/** @param {ParseResult[]} results */
export function formatParseBench(results) {
	const rows = [['shape', 'bytes', 'events', 'svelte-sse MB/s', 'svelte-sse events/s', 'eventsource-parser MB/s', 'eventsource-parser events/s', 'ratio']]
	for (const { shape, bytes, events, ours, peer, ratio } of results) {
		rows.push([
			shape,
			String(bytes),
			String(events),
			ours.mbPerSecond.toFixed(1),
			Math.round(ours.eventsPerSecond).toLocaleString('en-US'),
			peer.mbPerSecond.toFixed(1),
			Math.round(peer.eventsPerSecond).toLocaleString('en-US'),
			`${ratio.toFixed(2)}×`
		])
	}
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
	const line = (row) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`
	const rule = `|${widths.map((width, column) => '-'.repeat(width + 1) + (column === 0 ? '-' : ':')).join('|')}|`
	return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const rounds = 31
	const warmup = 10
	const results = runParseBench({ rounds, warmup })
	console.log(formatParseBench(results))
	console.log(
		`\nMethod: Node ${process.versions.node}; per shape, ${warmup} warm-up runs of each parser, then ${rounds} interleaved rounds ` +
			'(order alternating); median time per parser; MB = 10^6 bytes of the encoded stream. svelte-sse is fed bytes; ' +
			'eventsource-parser is fed each chunk decoded by a streaming TextDecoder inside the timed loop. ' +
			'Both must report the same event count and total data length. ratio = svelte-sse / eventsource-parser throughput.'
	)
}

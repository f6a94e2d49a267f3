/**
 * Parser throughput: svelte-sse's packaged parser against eventsource-parser 4, on the shapes a
 * client sees: three kinds of text (ASCII, non-ASCII, JSON payloads with ids), each cut three
 * ways (64 KiB chunks, 1 500-byte chunks, one event per chunk). Two more rows (the whole stream
 * in one chunk, 1-byte chunks) are context only: no client sees them.
 *
 * Run `npx svelte-package` first, then `node bench/parse.js`.
 * `BENCH_PARSE_MODULE=/path/to/protocol/index.js` measures another build of the parser.
 */
import { createParser as createPeerParser } from 'eventsource-parser'
import { spawnSync } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { encodeComment, encodeEvent } from '../dist/protocol/index.js'
import { median } from './lib/stats.js'

const { createParser } = await import(process.env.BENCH_PARSE_MODULE ? pathToFileURL(process.env.BENCH_PARSE_MODULE).href : '../dist/protocol/index.js')

/**
 * @typedef {{ mbPerSecond: number, eventsPerSecond: number, medianMs: number }} Throughput
 * @typedef {{ shape: string, text: string, cut: string, target: boolean, bytes: number, chunks: number, events: number,
 *   ours: Throughput, peer: Throughput, decode: Throughput, lines: Throughput, ceiling: number, ratio: number, min: number, max: number,
 *   runs: number }} ParseResult
 */

/** The ratio every target row must reach (svelte-sse / eventsource-parser throughput). */
export const PARSE_TARGET = 1.3

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

/** The words each kind of text is made of. */
const WORDS = {
	ascii: {
		sentence: 'The quick brown fox jumps over the lazy dog.',
		lines: ['line one of', 'line two', 'line three, the last'],
		status: ['online', 'away']
	},
	// two- and three-byte characters (accents, CJK) and four-byte ones (emoji: surrogate pairs)
	nonAscii: {
		sentence: 'Voilà un café crème à Zürich — 東京は晴れ、気温は二十度です 🎉🚀',
		lines: ['première ligne de', 'второй ряд', '第三行，最后一行 ✅'],
		status: ['en ligne 🟢', '離席中']
	}
}

/**
 * Encoded events, one `Uint8Array` each, shaped like real traffic. `mixed`: short messages,
 * ~200-byte JSON payloads under an event name and id, three-line data, and an occasional
 * keep-alive comment (sent in the same chunk as the event after it). `json`: every event a
 * JSON payload under an event name and an id.
 */
function buildEvents(count, seed, { words, json = false }) {
	const next = random(seed)
	const parts = []
	const update = (i) => {
		const payload = {
			id: i,
			user: `user-${Math.floor(next() * 1000)}`,
			text: `${words.sentence} ${words.sentence}`,
			tags: ['news', 'sport', 'weather'].slice(0, 1 + Math.floor(next() * 3)),
			at: 1700000000000 + i * 1000
		}
		return encodeEvent({ event: 'update', id: String(i), data: JSON.stringify(payload) })
	}
	for (let i = 0; i < count; i++) {
		if (json) {
			parts.push(update(i))
			continue
		}
		const roll = next()
		if (roll < 0.4) {
			parts.push(encodeEvent({ data: `${words.status[0]} ${i}` }))
		} else if (roll < 0.75) {
			parts.push(update(i))
		} else if (roll < 0.9) {
			parts.push(encodeEvent({ id: String(i), data: `${words.lines[0]} ${i}\n${words.lines[1]}\n${words.lines[2]}` }))
		} else if (roll < 0.95) {
			parts.push(encodeEvent({ event: 'status', data: words.status[next() < 0.5 ? 0 : 1] }))
		} else {
			parts.push(join([encodeComment('ping'), encodeEvent({ data: `after ping ${i}` })]))
		}
	}
	return parts
}

/** One `Uint8Array` of all the parts, in order. */
export function join(parts) {
	const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
	let offset = 0
	for (const part of parts) {
		bytes.set(part, offset)
		offset += part.length
	}
	return bytes
}

/** Cuts `stream` into chunks of `size` bytes, whatever they split (lines, characters). */
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
	for (let i = 0; i < chunks.length; i++) parser.feed(chunks[i])
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
	for (let i = 0; i < chunks.length; i++) parser.feed(decoder.decode(chunks[i], STREAM))
	parser.feed(decoder.decode())
	return { events, characters }
}

/** The floor both parsers share on text that is not ASCII: a streaming decode of every chunk, nothing else. */
function runDecode(chunks) {
	let characters = 0
	const decoder = new TextDecoder()
	for (let i = 0; i < chunks.length; i++) characters += decoder.decode(chunks[i], STREAM).length
	characters += decoder.decode().length
	return { events: 0, characters }
}

/**
 * What any parser of decoded text must do at least: the same streaming decode, and one
 * `indexOf('\n')` per line to find where each line ends; no field is read and no event built.
 * Its time is the floor under both parsers on text that is not ASCII.
 */
function runLines(chunks) {
	let lines = 0
	let characters = 0
	const decoder = new TextDecoder()
	for (let i = 0; i < chunks.length; i++) {
		const text = decoder.decode(chunks[i], STREAM)
		characters += text.length
		for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', lf + 1)) lines++
	}
	characters += decoder.decode().length
	return { events: lines, characters }
}

const STREAM = { stream: true }

/**
 * Outside the timed runs: both parsers must see the same events, field by field (type, data,
 * and the id of every event that set one).
 */
function verify(shape, chunks) {
	const ours = []
	const parser = createParser({ onEvent: (event) => ours.push(event) })
	for (const chunk of chunks) parser.feed(chunk)
	parser.end()
	const peer = []
	const decoder = new TextDecoder()
	const peerParser = createPeerParser({ onEvent: (event) => peer.push(event) })
	for (const chunk of chunks) peerParser.feed(decoder.decode(chunk, { stream: true }))
	peerParser.feed(decoder.decode())
	if (ours.length !== peer.length) throw new Error(`${shape}: svelte-sse saw ${ours.length} events, eventsource-parser ${peer.length}.`)
	for (let i = 0; i < ours.length; i++) {
		const a = ours[i]
		const b = peer[i]
		if (a.type !== (b.event ?? 'message') || a.data !== b.data || (b.id !== undefined && a.lastEventId !== b.id)) {
			throw new Error(`${shape}: event ${i} differs: svelte-sse ${JSON.stringify(a)}, eventsource-parser ${JSON.stringify(b)}.`)
		}
	}
	return ours.length
}

/**
 * Parses the chunks `repeat` times over, so that one timed round is long enough to time well.
 * The time is the process's CPU time (user + system), not the wall clock: the parse is
 * synchronous, and CPU time leaves out the waits for a core that other work on a shared
 * machine causes, which the wall clock would pin on whichever parser happened to run then.
 */
function time(run, chunks, repeat) {
	const start = process.cpuUsage()
	let result
	for (let i = 0; i < repeat; i++) result = run(chunks)
	const { user, system } = process.cpuUsage(start)
	return { ms: (user + system) / 1000 / repeat, ...result }
}

/** The shapes measured: every kind of text cut every realistic way, then the context rows. */
function shapes() {
	const kinds = [
		{ text: 'ASCII', parts: () => buildEvents(20_000, 1, { words: WORDS.ascii }) },
		{ text: 'non-ASCII', parts: () => buildEvents(20_000, 2, { words: WORDS.nonAscii }) },
		{ text: 'JSON with ids', parts: () => buildEvents(10_000, 3, { words: WORDS.ascii, json: true }) }
	]
	const list = []
	for (const { text, parts } of kinds) {
		list.push({ text, cut: '64 KiB chunks', target: true, build: () => cut(join(parts()), 64 * 1024) })
		list.push({ text, cut: '1 500 B chunks', target: true, build: () => cut(join(parts()), 1500) })
		list.push({ text, cut: 'one event per chunk', target: true, build: parts })
	}
	list.push({ text: 'ASCII', cut: 'whole stream (context)', target: false, build: () => [join(kinds[0].parts())] })
	list.push({ text: 'ASCII', cut: '1-byte chunks (context)', target: false, build: () => cut(join(buildEvents(2_000, 4, { words: WORDS.ascii })), 1) })
	return list.map((shape) => ({ ...shape, shape: `${shape.text}, ${shape.cut}` }))
}

/** Least time one timed round takes (each parser parses the stream as many times as that needs). */
const ROUND_MS = 10

/**
 * One run of one shape, alone in a fresh process (so that what the JIT learnt on one shape does
 * not slow or speed another): `warmup` rounds, then `rounds` interleaved rounds whose order
 * alternates. The run's ratio is the median of the rounds' ratios: a round's two timings are
 * back to back, so their ratio cancels the slow swings of a shared machine.
 */
function measureShape(index, { rounds, warmup }) {
	const { shape } = shapes()[index]
	const chunks = shapes()[index].build()
	const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
	const events = verify(shape, chunks)
	let warm = Infinity
	for (let i = 0; i < warmup; i++) {
		warm = Math.min(warm, time(runOurs, chunks, 1).ms)
		time(runPeer, chunks, 1)
	}
	const repeat = Math.max(1, Math.ceil(ROUND_MS / warm))
	const ours = []
	const peer = []
	const pairs = []
	const decode = []
	const lines = []
	const ceilings = []
	for (let i = 0; i < rounds; i++) {
		decode.push(time(runDecode, chunks, repeat).ms)
		const found = time(runLines, chunks, repeat)
		lines.push(found.ms)
		const b = i % 2 ? time(runPeer, chunks, repeat) : undefined
		const a = time(runOurs, chunks, repeat)
		const c = b ?? time(runPeer, chunks, repeat)
		if (a.events !== c.events || a.characters !== c.characters || a.events !== events) {
			throw new Error(`${shape}: svelte-sse saw ${a.events} events (${a.characters} characters), eventsource-parser ${c.events} (${c.characters}).`)
		}
		ours.push(a.ms)
		peer.push(c.ms)
		pairs.push(c.ms / a.ms)
		ceilings.push(c.ms / found.ms)
	}
	return {
		bytes,
		chunks: chunks.length,
		events,
		ours: median(ours),
		peer: median(peer),
		decode: median(decode),
		lines: median(lines),
		ratio: median(pairs),
		ceiling: median(ceilings)
	}
}

/**
 * Runs every shape and returns one result per shape. Each of `runs` runs measures every shape in
 * turn, each in a fresh child process (see `measureShape`); `ratio` is the median of the per-run
 * ratios, `min` and `max` their spread. Above 1 means svelte-sse is faster.
 *
 * @param {{ runs?: number, rounds?: number, warmup?: number, only?: string, log?: (line: string) => void }} [options]
 * @returns {ParseResult[]}
 */
export function runParseBench({ runs = 5, rounds = 11, warmup = 5, only, log = () => {} } = {}) {
	const list = shapes()
		.map((shape, index) => ({ ...shape, index }))
		.filter((shape) => !only || shape.shape.includes(only))
	const measured = list.map(() => [])
	for (let run = 0; run < runs; run++) {
		for (let s = 0; s < list.length; s++) {
			const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(list[s].index), String(rounds), String(warmup)], {
				encoding: 'utf8',
				env: process.env,
				stdio: ['ignore', 'pipe', 'inherit'],
				timeout: 120_000
			})
			if (child.status !== 0) throw new Error(`parse: measuring "${list[s].shape}" failed (exit ${child.status}).`)
			measured[s].push(JSON.parse(child.stdout))
		}
		log(`parse: run ${run + 1} of ${runs} done`)
	}
	return list.map(({ shape, text, cut: cutName, target }, s) => {
		const all = measured[s]
		const { bytes, events, chunks } = all[0]
		const ratios = all.map((one) => one.ratio)
		const rate = (ms) => ({ mbPerSecond: bytes / 1e6 / (ms / 1000), eventsPerSecond: events / (ms / 1000), medianMs: ms })
		return {
			shape,
			text,
			cut: cutName,
			target,
			bytes,
			chunks,
			events,
			ours: rate(median(all.map((one) => one.ours))),
			peer: rate(median(all.map((one) => one.peer))),
			decode: rate(median(all.map((one) => one.decode))),
			lines: rate(median(all.map((one) => one.lines))),
			ceiling: median(all.map((one) => one.ceiling)),
			ratio: median(ratios),
			min: Math.min(...ratios),
			max: Math.max(...ratios),
			runs
		}
	})
}

/** Whether a row meets the target, and when it misses, whether the target is above the row's ceiling (the ratio a parser that only found the lines would reach). */
function targetState(ratio, min, ceiling) {
	if (min >= PARSE_TARGET) return 'met'
	if (ratio >= PARSE_TARGET) return 'met (spread crosses it)'
	return ceiling < PARSE_TARGET ? 'MISSED (above the ceiling)' : 'MISSED'
}

/** @param {ParseResult[]} results */
export function formatParseBench(results) {
	const rows = [
		['shape', 'bytes', 'chunks', 'events', 'svelte-sse MB/s', 'eventsource-parser MB/s', 'ratio (median)', 'min–max', 'target', 'decode only MB/s', 'decode + line search MB/s', 'ceiling']
	]
	for (const { shape, bytes, chunks, events, ours, peer, decode, lines, ceiling, ratio, min, max, target } of results) {
		rows.push([
			shape,
			String(bytes),
			String(chunks),
			String(events),
			ours.mbPerSecond.toFixed(1),
			peer.mbPerSecond.toFixed(1),
			`${ratio.toFixed(2)}×`,
			`${min.toFixed(2)}–${max.toFixed(2)}`,
			target ? `≥ ${PARSE_TARGET} ${targetState(ratio, min, ceiling)}` : 'context',
			decode.mbPerSecond.toFixed(1),
			lines.mbPerSecond.toFixed(1),
			`${ceiling.toFixed(2)}×`
		])
	}
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
	const line = (row) => `| ${row.map((cell, column) => (column === 0 || column === 8 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`
	const rule = `|${widths.map((width, column) => '-'.repeat(width + 1) + (column === 0 || column === 8 ? '-' : ':')).join('|')}|`
	return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n')
}

/** @param {{ runs: number, rounds: number, warmup: number }} settings */
export function describeParseBench({ runs, rounds, warmup }) {
	return (
		`Node ${process.versions.node}. Three streams: 20 000 seeded events of mixed shapes in ASCII, the same mix with accented, Cyrillic, CJK ` +
		'and emoji text (2-, 3- and 4-byte UTF-8), and 10 000 JSON payloads of ~200 bytes under an event name and an id; each cut into 64 KiB ' +
		'chunks, 1 500-byte chunks (both split lines and characters anywhere) and one event per chunk. ' +
		`${runs} runs; in each, every shape is measured in a fresh process (what the JIT learnt on one shape must not carry over to another): ` +
		`${warmup} warm-up rounds, then ${rounds} interleaved rounds (order alternating), each parser parsing the stream as many times over as ` +
		`makes a round last at least ${ROUND_MS} ms. A run's ratio is the median over its rounds of eventsource-parser's time / svelte-sse's time ` +
		'in the same round (the two are back to back, so the ratio cancels slow swings of a shared machine); the table gives the median of the ' +
		'per-run ratios and their min–max. svelte-sse is fed bytes; eventsource-parser (which takes strings) is fed each chunk through a streaming TextDecoder inside ' +
		'the timed loop. Before timing, both must report the same events (type, data, id); every timed round checks the event count and data length. ' +
		'Times are CPU time of the process (user + system, so garbage collection on helper threads counts), not wall time, so that waits for a ' +
		'core on a busy machine do not count. MB = 10^6 bytes of the encoded stream. The whole-stream and 1-byte rows are context only; ' +
		'"decode only" is a streaming TextDecoder over the same chunks and nothing else. "decode + line search" adds one `indexOf(\'\\n\')` per ' +
		'line, reading no field and building no event: the least any parser of decoded text does, timed in the same rounds. "ceiling" is the ' +
		'median over rounds of eventsource-parser\'s time / that time: the ratio a parser that did nothing else would reach, so a target above ' +
		'it is out of reach for any parser that decodes this way. On text that is not ASCII the streaming decode is the fastest Node has; on ' +
		'ASCII, svelte-sse decodes whole chunks in one shot, which is faster, so its ratio there can pass the ceiling.'
	)
}

if (process.argv[2] === '--child') {
	const [index, rounds, warmup] = process.argv.slice(3).map(Number)
	process.stdout.write(JSON.stringify(measureShape(index, { rounds, warmup })))
} else if (process.argv[2] === '--profile') {
	// node --cpu-prof bench/parse.js --profile "non-ASCII, 64 KiB" ours|peer|decode: one parser (or the decode alone), one shape, for a profile
	const shape = shapes().find((one) => one.shape.startsWith(process.argv[3]))
	if (!shape) throw new Error(`no shape starts with "${process.argv[3]}"`)
	const chunks = shape.build()
	const run = { peer: runPeer, decode: runDecode }[process.argv[4]] ?? runOurs
	const start = performance.now()
	let bytes = 0
	while (performance.now() - start < 3000) {
		run(chunks)
		bytes += chunks.reduce((sum, chunk) => sum + chunk.length, 0)
	}
	console.log(`${shape.shape}, ${process.argv[4] ?? 'ours'}: ${(bytes / 1e6 / 3).toFixed(1)} MB/s over 3 s`)
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)
	const settings = { runs: 5, rounds: 11, warmup: 5 }
	const results = runParseBench({ ...settings, only, log: (line) => console.error(line) })
	console.log(formatParseBench(results))
	console.log(`\nMethod: ${describeParseBench(settings)}`)
}

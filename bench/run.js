/**
 * `npm run bench`: builds the package, runs every benchmark against its peers in one go,
 * prints the tables and writes bench/RESULTS.md and bench/ratios.svg.
 *
 *   node bench/run.js            full run (about four minutes on 2 cores)
 *   node bench/run.js --quick    fewer events and rounds, for a smoke test
 *   node bench/run.js --no-build measure the dist/ that is there
 *
 * Figures: 1 emit throughput (throughput.js), 2 client parse (parse.js), 3 end to end
 * (e2e/, under vitest), 4 memory per idle connection (memory.js), 5 client bundle size (size.js),
 * 6 broadcast to 1 000 and 5 000 connections (broadcast.js).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatBackends, runBackendsBench } from './backends.js'
import { formatBroadcast, runBroadcastBench } from './broadcast.js'
import { formatMemory, HEAP_TARGET_BYTES, runMemoryBench } from './memory.js'
import { formatMemoryAttribution } from './memory-attribution.js'
import { describeParseBench, formatParseBench, PARSE_TARGET, runParseBench } from './parse.js'
import { formatSize, formatSizeBreakdown, runSizeBench } from './size.js'
import { formatThroughput, runThroughputBench } from './throughput.js'
import { formatInt } from './lib/stats.js'
import { renderRatios } from './lib/svg.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..')
const quick = process.argv.includes('--quick')
const log = (line) => console.error(line)
const startedAt = Date.now()
const loadAtStart = loadavg()[0]

const settings = quick
	? { throughput: { events: 50_000, rounds: 3 }, parse: { runs: 3, rounds: 5, warmup: 3 }, e2e: { events: 50_000, rounds: 3 }, client: { events: 50_000, rounds: 5 }, memory: { sizes: [1000], rounds: 1 }, broadcast: { runs: 1, warmup: 5, count: 10 }, backends: { runs: 1, events: 300, latencyEvents: 100 } }
	: { throughput: { events: 200_000, rounds: 7 }, parse: { runs: 5, rounds: 11, warmup: 5 }, e2e: { events: 200_000, rounds: 5 }, client: { events: 100_000, rounds: 7 }, memory: { sizes: [1000, 5000], rounds: 3 }, broadcast: { runs: 3, warmup: 5, count: 20 }, backends: { runs: 3 } }

function section(title) {
	log(`\n${title}`)
}

// 0. the package under test
if (!process.argv.includes('--no-build')) {
	section('Building the package (svelte-package)…')
	const built = spawnSync(join(root, 'node_modules/.bin/svelte-package'), [], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
	if (built.status !== 0) {
		console.error('svelte-package failed; fix the build or run with --no-build to measure the existing dist/.')
		process.exit(1)
	}
}

// 1. emit throughput
section('1. Emit throughput to one client…')
const throughput = await runThroughputBench({ ...settings.throughput, log })

// 2. client parse
section('2. Client parse throughput…')
const parseStart = performance.now()
const parse = runParseBench({ ...settings.parse, log })
const parseSeconds = (performance.now() - parseStart) / 1000

// 3. end to end, under vitest so that Svelte compiles the runes for the browser
section('3. End to end (vitest, browser build of Svelte)…')
const e2eOut = join(tmpdir(), `svelte-sse-e2e-${process.pid}.json`)
const clientOut = join(tmpdir(), `svelte-sse-client-${process.pid}.json`)
const vitest = spawnSync(
	process.execPath,
	[join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(here, 'vitest.config.js'), '--reporter=dot'],
	{
		cwd: root,
		env: {
			...process.env,
			BENCH_E2E_OUT: e2eOut,
			BENCH_E2E_EVENTS: String(settings.e2e.events),
			BENCH_E2E_ROUNDS: String(settings.e2e.rounds),
			BENCH_CLIENT_OUT: clientOut,
			BENCH_CLIENT_EVENTS: String(settings.client.events),
			BENCH_CLIENT_ROUNDS: String(settings.client.rounds)
		},
		stdio: ['ignore', 'ignore', 'inherit'],
		timeout: 600_000
	}
)
if (vitest.status !== 0) {
	console.error('The end-to-end benchmark failed (see above).')
	process.exit(1)
}
const e2e = JSON.parse(readFileSync(e2eOut, 'utf8'))
rmSync(e2eOut, { force: true })
const client = JSON.parse(readFileSync(clientOut, 'utf8'))
rmSync(clientOut, { force: true })

// 4. memory per idle connection
section('4. Memory per idle connection…')
const memory = await runMemoryBench({ ...settings.memory, log })

// 5. bundle size
section('5. Client bundle size…')
const size = await runSizeBench({ log })

// 6. broadcast
section('6. Broadcast to 1 000 and 5 000 connections…')
const broadcast = await runBroadcastBench({ ...settings.broadcast, log })

// 7. channel backends
section('7. Channel backends: memory, Redis, Postgres…')
const backendsResult = await runBackendsBench({ ...settings.backends, log })

// ----- verdicts -----
const at = (rows, key) => rows.find((row) => row.key === key)
// every figure prints its spread in its name and says when the spread crosses the target
const crossesNote = (r, target) => (target !== undefined && r.min < target && r.max > target ? ', spread crosses the target' : '')
const withSpread = (name, r, target) => `${name} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]${crossesNote(r, target)}`
const heapAbove = (r) =>
	`${formatInt(r.heapUsed.value)} B [${formatInt(r.heapUsed.min)}–${formatInt(r.heapUsed.max)}]${r.key === 'ours' ? crossesNote(r.heapUsed, HEAP_TARGET_BYTES) : ''}`
const targets = [
	{ figure: '1', name: withSpread('emit: svelte-sse / raw node:http, ≈64 KiB writes (floor)', throughput.ratios.rawBatched, 0.6), ratio: throughput.ratios.rawBatched.value, target: 0.6, better: 'higher' },
	{ figure: '1', name: withSpread("emit: svelte-sse / better-sse's batch API", throughput.ratios.betterSseBatch, 1), ratio: throughput.ratios.betterSseBatch.value, target: 1, better: 'higher' },
	{ figure: '1', name: withSpread('emit: svelte-sse / pre-encoded bytes on a socket', throughput.ratios.preEncoded), ratio: throughput.ratios.preEncoded.value, better: 'higher' },
	{ figure: '1', name: withSpread('emit server CPU per event: svelte-sse / raw, ≈64 KiB writes', throughput.ratios.cpuRawBatched), ratio: throughput.ratios.cpuRawBatched.value, better: 'lower' },
	{ figure: '1', name: withSpread('emit: svelte-sse / raw, one res.write per event', throughput.ratios.raw), ratio: throughput.ratios.raw.value, better: 'higher' },
	{ figure: '1', name: withSpread('emit: svelte-sse / sveltekit-sse', throughput.ratios.sveltekitSse), ratio: throughput.ratios.sveltekitSse.value, better: 'higher' },
	...parse.map((row) => ({
		figure: '2',
		name:
			withSpread(`parse (${row.shape}): svelte-sse / eventsource-parser`, row, row.target ? PARSE_TARGET : undefined) +
			(row.target && row.ratio < PARSE_TARGET && row.ceiling < PARSE_TARGET ? `, target above the ceiling (${row.ceiling.toFixed(2)}×)` : ''),
		ratio: row.ratio,
		target: row.target ? PARSE_TARGET : undefined,
		better: 'higher'
	})),
	...client.shapes.flatMap((row) => [
		{ figure: '3', name: withSpread(`client (${row.shape}): Source → subscribe / eventsource-parser + loop`, row.subscribe, client.target), ratio: row.subscribe.median, target: client.target, better: 'lower' },
		{ figure: '3', name: withSpread(`client (${row.shape}): Source → .current in $effect / eventsource-parser + loop`, row.effect, client.target), ratio: row.effect.median, target: client.target, better: 'lower' },
		{ figure: '3', name: withSpread(`client (${row.shape}): eventsource-parser + bare $state read by an $effect / eventsource-parser + loop`, row.effectFloor), ratio: row.effectFloor.median, better: 'lower' },
		{ figure: '3', name: withSpread(`client (${row.shape}): Source → .current in $effect / eventsource-parser + bare $state in $effect`, row.effectOverEffectFloor), ratio: row.effectOverEffectFloor.median, better: 'lower' }
	]),
	{ figure: '3', name: 'end to end / parse only, same bytes', ratio: e2e.ratio, better: 'higher' },
	...memory.aboveFloor.map((r) => ({
		figure: '4',
		name: `idle heap above SvelteKit's bare Response @ ${formatInt(r.size)}: ${r.key === 'ours' ? 'svelte-sse' : r.key} ÷ 1 KB (${heapAbove(r)})`,
		ratio: r.heapUsed.value / HEAP_TARGET_BYTES,
		...(r.key === 'ours' ? { target: 1 } : {}),
		better: 'lower'
	})),
	{ figure: '4', name: `idle heap @ ${formatInt(memory.sizes[0])}: SvelteKit's bare Response / raw node:http`, ratio: memory.rows.find((r) => r.key === 'response-floor' && r.size === memory.sizes[0]).heapUsed.value / memory.rows.find((r) => r.key === 'raw' && r.size === memory.sizes[0]).heapUsed.value, better: 'lower' },
	{ figure: '5', name: 'bundle gzip, full app: svelte-sse / sveltekit-sse', ratio: size.ratios.full, target: 1, better: 'lower' },
	{ figure: '5', name: 'bundle gzip, library only: svelte-sse / sveltekit-sse', ratio: size.ratios.library, target: 1, better: 'lower' },
	{ figure: '5', name: 'bundle gzip, component app: svelte-sse / sveltekit-sse', ratio: size.ratios.component, better: 'lower' },
	{ figure: '5', name: 'bundle gzip, runes floor (no library) / sveltekit-sse full app', ratio: size.ratios.runesFloor, better: 'lower' },
	...broadcast.sizes.flatMap((n) => {
		const r = (of, to, metric) => broadcast.ratios[`${n}/${of}/${to}/${metric}`].value
		const at = `@ ${formatInt(n)} connections`
		return [
			{ figure: '6', name: `broadcast p50 ${at}: channel / raw node:http`, ratio: r('channel', 'raw', 'p50'), target: 1.3, better: 'lower' },
			{ figure: '6', name: `broadcast p99 ${at}: channel / raw node:http`, ratio: r('channel', 'raw', 'p99'), target: 1.3, better: 'lower' },
			{ figure: '6', name: `broadcast p50 ${at}: channel / better-sse on node:http`, ratio: r('channel', 'better-sse', 'p50'), target: 1, better: 'lower' },
			{ figure: '6', name: `broadcast p99 ${at}: channel / better-sse on node:http`, ratio: r('channel', 'better-sse', 'p99'), target: 1, better: 'lower' },
			{ figure: '6', name: `broadcast p50 ${at}: channel / better-sse Fetch API, same adapter`, ratio: r('channel', 'better-sse-response', 'p50'), target: 1, better: 'lower' },
			{ figure: '6', name: `broadcast p99 ${at}: channel / better-sse Fetch API, same adapter`, ratio: r('channel', 'better-sse-response', 'p99'), target: 1, better: 'lower' },
			{ figure: '6', name: `broadcast p50 ${at}: channel / bare Response floor`, ratio: r('channel', 'response-floor', 'p50'), better: 'lower' },
			{ figure: '6', name: `broadcast CPU per recipient ${at}: channel / raw`, ratio: r('channel', 'raw', 'cpuPerRecipient'), better: 'lower' },
			{ figure: '6', name: `broadcast p50 ${at}: bare Response floor / raw`, ratio: r('response-floor', 'raw', 'p50'), better: 'lower' }
		]
	})
]
for (const t of targets) {
	t.met = t.target === undefined ? undefined : t.better === 'higher' ? t.ratio >= t.target : t.ratio <= t.target
	t.status = t.met === undefined ? 'context' : t.met ? 'met' : 'MISSED'
}
const missed = targets.filter((t) => t.met === false)

// ----- profiling of missed targets -----
let attribution
{
	section("Attributing produce()'s per-stream heap (heap snapshots)…")
	const output = execFileSync(process.execPath, ['--expose-gc', join(here, 'memory-attribution.js'), '--json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
	attribution = JSON.parse(output.toString())
}

// ----- output -----
const fmtRatio = (r) => `${r.toFixed(2)}×`
const summary = [
	'| # | comparison | ratio | target | status |',
	'|---|---|---:|---:|---|',
	...targets.map((t) => `| ${t.figure} | ${t.name} | ${fmtRatio(t.ratio)} | ${t.target === undefined ? '—' : `${t.better === 'higher' ? '≥' : '≤'} ${t.target}`} | ${t.status} |`)
].join('\n')

const e2eTable = [
	'| path | events/s | median ms |',
	'|---|---:|---:|',
	`| produce() → fetch → Source → Selection.current → $effect | ${formatInt(e2e.e2eEventsPerSecond)} | ${e2e.e2eMedianMs.toFixed(0)} |`,
	`| produce() → fetch → createParser (no Source, no Svelte) | ${formatInt(e2e.fetchParseEventsPerSecond)} | ${e2e.fetchParseMedianMs.toFixed(0)} |`,
	`| createParser alone, same bytes in 64 KiB chunks, no network | ${formatInt(e2e.parseEventsPerSecond)} | ${e2e.parseMedianMs.toFixed(1)} |`
].join('\n')
const spreadOf = (r) => `${fmtRatio(r.median)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`
const clientTable = [
	'| chunks | Source → subscribe ns/event | Source → .current in $effect ns/event | eventsource-parser + loop ns/event | eventsource-parser + bare $state in $effect ns/event | subscribe / floor | $effect / floor | bare $state + $effect / floor | $effect / bare $state + $effect |',
	'|---|---:|---:|---:|---:|---:|---:|---:|---:|',
	...client.shapes.map(
		(row) =>
			`| ${row.shape} (${formatInt(row.chunks)}) | ${row.nsPerEvent.subscribe.toFixed(0)} | ${row.nsPerEvent.effect.toFixed(0)} | ${row.nsPerEvent.floor.toFixed(0)} | ` +
			`${row.nsPerEvent.effectFloor.toFixed(0)} | ${spreadOf(row.subscribe)} | ${spreadOf(row.effect)} | ${spreadOf(row.effectFloor)} | ${spreadOf(row.effectOverEffectFloor)} |`
	)
].join('\n')
const clientMethod =
	`${formatInt(client.events)} events of 100 bytes (\`event: tick\`), cut one event per chunk and into 64 KiB chunks, served without a network by the ` +
	"Source's `fetch` option: a Response over a ReadableStream that hands out the pre-made chunks (bench/e2e/client.bench.svelte.js, same vitest " +
	"environment as below, Svelte's client runtime in production mode). (a) `new Source(url, { fetch }).select('tick').subscribe(fn)`; (b) the same " +
	"selection's `.current` read by an `$effect`; (c) the floor: the same fetch and Response body read with a reader, each chunk through a streaming " +
	'TextDecoder into eventsource-parser, a plain loop calling a callback with each tick\'s data; (d) context for (b): (c) also writing each ' +
	'chunk\'s last value to a bare `$state` (once per chunk) that an `$effect` reads, what Svelte itself costs a client that wakes its readers once per chunk. ' +
	`CPU time of the process per stream (no I/O), ${client.rounds} interleaved rounds after two warm-ups, order rotating; ratio = (a), (b) or (d) / (c), ` +
	`and (b) / (d), per round; median [min–max] over rounds. Target ≤ ${client.target}× for (a) and (b) over (c).`
const e2eMethod =
	`${formatInt(e2e.events)} events of 100 bytes from the throughput server's svelte-sse route (a child process: node:http, setResponse), read by ` +
	"`new Source(url, { reconnect: false }).select('tick')` in a vitest worker (a custom environment: Node's fetch and streams, code transformed " +
	"for the browser so Svelte's client runtime runs, `window`/`document` stubs so Source connects). An `$effect` in `$effect.root` reads `.current`; " +
	'time = effect created to the effect seeing the last event (it connects lazily when the effect first reads). ' +
	`The effect ran ${formatInt(e2e.effectRuns)} times per stream: effects are batched, once per network chunk, not per event. ` +
	`Median of ${e2e.rounds} streams after a warm-up, interleaved with the fetch + parse runs. ` +
	`The parse-only figure parses the same bytes in the same process (median of ${e2e.rounds} after 3 warm-ups); ratio = e2e / parse-only events/s, for context.`

const environment = () =>
	`Node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${process.platform}; loopback only; ` +
	`1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (other work on the machine adds noise; ` +
	'interleaved rounds and medians spread it over all peers).'
const totalSeconds = () => ((Date.now() - startedAt) / 1000).toFixed(0)

const findings = []
if (missed.length === 0) {
	findings.push('Every target is met.')
}
{
	const row = (key, size) => memory.rows.find((r) => r.key === key && r.size === size)
	const above = (key, size) => memory.aboveFloor.find((r) => r.key === key && r.size === size)
	const kib = (b) => `${(b / 1024).toFixed(1)} KiB`
	const largest = attribution.rows.filter((r) => r.bytes > 0).slice(0, 4)
	const closures = attribution.rows.filter((r) => (r.key.startsWith('closure ') || r.key === 'object system / Context') && r.bytes > 0)
	const closureBytes = closures.reduce((sum, r) => sum + r.bytes, 0)
	findings.push(
		[
			`### Memory per idle connection (figure 4): ${missed.some((t) => t.figure === '4') ? 'missed' : 'met'}`,
			'',
			...memory.sizes.flatMap((n) => [
				`At ${formatInt(n)} connections svelte-sse holds ${heapAbove(above('ours', n))} of heap per idle connection above a bare Response in the same ` +
					`SvelteKit app (goal ≤ ${formatInt(HEAP_TARGET_BYTES)} B); better-sse ${heapAbove(above('better-sse', n))}, sveltekit-sse ${heapAbove(above('sveltekit-sse', n))}. ` +
					`The floor itself holds ${kib(row('response-floor', n).heapUsed.value)} of heap per connection, ${fmtRatio(row('response-floor', n).heapUsed.value / row('raw', n).heapUsed.value)} ` +
					`a raw node:http handler's ${kib(row('raw', n).heapUsed.value)}: SvelteKit's and undici's (the Request, the Response, its ReadableStream and reader, setResponse's read loop), ` +
					'which no library can remove; hence the old target (≤ 1.5× raw) is retired for this one.',
				''
			]),
			`Heap snapshots (bench/memory-attribution.js, ${formatInt(attribution.streams)} streams each, produce() against the same bare Response, each read the way ` +
				`setResponse reads it, outside SvelteKit) attribute produce()'s own ${formatInt(attribution.totalBytes)} bytes per stream:`,
			'',
			formatMemoryAttribution(attribution),
			'',
			`Reading it (src/lib/server/produce.ts): the largest items are ${largest.map((r) => `${r.key} (${formatInt(r.bytes)} B)`).join(', ')}. ` +
				(closures.length
					? `Per-stream closures and their shared context take ${formatInt(closureBytes)} B (${closures.map((r) => r.key).join(', ')}); issue 15's ` +
						'remedy is a class whose methods live on the prototype, so that a stream holds one instance instead. '
					: "produce() makes no closure per stream beyond the bare Response's own. ") +
				'Each row is the difference of two snapshots, so the small ones (code, strings, native) are partly noise.'
		].join('\n')
	)
}
if (missed.some((t) => t.figure === '5')) {
	findings.push(
		[
			'### Client bundle size (figure 5): missed',
			'',
			`Full app: ${fmtRatio(size.ratios.full)}; library only (svelte external): ${fmtRatio(size.ratios.library)}; one-component app: ${fmtRatio(size.ratios.component)}.`,
			'',
			"The full-app gap is mostly Svelte's signal runtime: svelte-sse's classes use `$state` and `createSubscriber`, which pull " +
				'svelte/internal/client, while sveltekit-sse needs only svelte/store. Every Svelte 5 app ships that runtime anyway, which is why the ' +
				'one-component app (both libraries read in markup) is the realistic comparison; there the difference is the library code itself. ' +
				"The library's own code, by module:",
			'',
			formatSizeBreakdown(size),
			'',
			`The floor rows show why the full-app target cannot be met by a runes-first client: a class with one \`$state\` field and ` +
				`\`createSubscriber\`, and no library code at all, already bundles to ${(size.floors.runes.gzipped / 1000).toFixed(2)} kB gzip, ` +
				`${fmtRatio(size.ratios.runesFloor)} the whole sveltekit-sse app, whose reactivity is a ${(size.floors.store.gzipped / 1000).toFixed(2)} kB \`writable\`. ` +
				"connection.ts (reconnect policy with backoff/jitter and maxAttempts, Retry-After, JSON bodies, header functions, the 'online' " +
				'listener, Last-Event-ID resume, typed errors with readable messages) and the parser (WHATWG-exact, with the speed paths that ' +
				'figure 2 measures) are the two largest. sveltekit-sse\'s client does less (no backoff policy, no Last-Event-ID resume, no schema ' +
				'stage, no validation of status or content-type). Already trimmed: one path for the parser\'s event and id lines, and the shared-source ' +
				'cache marked pure so that it is dropped when `source()` is unused. Halving the library code to match sveltekit-sse\'s would mean ' +
				'dropping those features or the error messages, which the project will not do.'
		].join('\n')
	)
}
{
	const r = throughput.ratios
	const row = (key) => throughput.rows.find((x) => x.key === key)
	const cpu = (key) => `${row(key).cpuPerEvent.value.toFixed(2)} µs [${row(key).cpuPerEvent.min.toFixed(2)}–${row(key).cpuPerEvent.max.toFixed(2)}]`
	const fmt = (x, target) => `${fmtRatio(x.value)} [${x.min.toFixed(2)}–${x.max.toFixed(2)}]${crossesNote(x, target) ? ' (its spread crosses the target)' : ''}`
	const chunks = (key) => `${formatInt(row(key).writes.calls)} res.write calls per stream, the largest ${(row(key).writes.largest / 1024).toFixed(0)} KiB`
	findings.push(
		[
			`### Emit throughput (figure 1): ${missed.some((t) => t.figure === '1') ? 'missed' : 'met'}`,
			'',
			`svelte-sse, served by a SvelteKit app built with adapter-node, reaches ${fmt(r.rawBatched, 0.6)} of a raw node:http loop that writes the same bytes ` +
				`≈64 KiB at a time (goal ≥ 0.6×) and ${fmt(r.betterSseBatch, 1)} of better-sse's batch API (goal ≥ 1×); pre-encoded bytes on a plain socket, ` +
				`the physical limit, are ${fmtRatio(1 / r.preEncoded.value)} faster than svelte-sse. Server CPU per event: svelte-sse ${cpu('ours')} ` +
				`(${cpu('ours-setResponse')} through setResponse alone), the batched raw loop ${cpu('raw-batched')}, better-sse's batch ${cpu('better-sse-batch')}, ` +
				`pre-encoded bytes ${cpu('pre-encoded')}; svelte-sse / batched raw loop ${fmt(r.cpuRawBatched)}.`,
			'',
			`Chunks handed to node:http: svelte-sse ${chunks('ours')}; the batched raw loop ${chunks('raw-batched')}; better-sse's batch ${chunks('better-sse-batch')}. ` +
				`Against the per-event raw loop (context, ${fmt(r.raw)}) svelte-sse looks fast because that loop makes every event its own HTTP chunk, so the ` +
				'wall clock there mostly measures the client parsing chunks; that comparison is no longer a target. Where produce() spends its CPU: ' +
				'`BENCH_THROUGHPUT_PROFILE=dir node bench/throughput.js --only=ours` writes a CPU profile of the server child.'
		].join('\n')
	)
}
{
	const perEvent = (ms) => (ms * 1000) / e2e.events
	findings.push(
		[
			'### End to end (figure 3): context, no target',
			'',
			`Of ${perEvent(e2e.e2eMedianMs).toFixed(2)} µs per event end to end, ${perEvent(e2e.fetchParseMedianMs).toFixed(2)} µs is the same stream read with ` +
				`fetch and parsed without Source or Svelte (server, loopback, undici, parser); Source → Selection → $effect adds ` +
				(e2e.e2eMedianMs > e2e.fetchParseMedianMs
					? `${perEvent(e2e.e2eMedianMs - e2e.fetchParseMedianMs).toFixed(2)} µs`
					: 'nothing this run can tell apart from noise (the end-to-end median came out below the fetch-and-parse one)') +
				`. The parse itself is ${perEvent(e2e.parseMedianMs).toFixed(3)} µs, so the ` +
				'e2e/parse ratio mostly measures the network path. Without the network (the client table above), a `subscribe` or `listen` user writes no ' +
				'signal at all: `Selection` keeps its value, latest event and error in plain fields that every getter reads after tracking the ' +
				'createSubscriber version, and it bumps that version once per burst (not again until a reader has read), so an `$effect` reader costs one ' +
				'signal write per chunk. What an `$effect` adds beyond that is Svelte\'s own per-flush work (a Batch, the effect rerun, and the render ' +
				'effect that createSubscriber makes on every tracked read), once per chunk: with one event per chunk that is once per event, which is the ' +
				'rest of the gap (BENCH_CLIENT_PROFILE=file.cpuprofile BENCH_CLIENT_WAY=effect writes a profile). (Under vitest every cross-module binding ' +
				'is a getter, which adds a few percent that a bundle does not have.)'
		].join('\n')
	)
}
{
	const row = (n, key) => broadcast.rows.find((r) => r.size === n && r.key === key)
	const ratio = (n, of, to, metric) => broadcast.ratios[`${n}/${of}/${to}/${metric}`]
	const fmtSpread = (r) => `${fmtRatio(r.value)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`
	const verdict = missed.some((t) => t.figure === '6') ? 'missed' : 'met'
	const perSize = broadcast.sizes.map((n) => {
		const cpu = (key) => `${row(n, key).cpuPerRecipient.median.toFixed(1)} µs`
		return (
			`At ${formatInt(n)} connections: channel / raw p50 ${fmtSpread(ratio(n, 'channel', 'raw', 'p50'))}, p99 ${fmtSpread(ratio(n, 'channel', 'raw', 'p99'))}; ` +
			`channel / better-sse p50 ${fmtSpread(ratio(n, 'channel', 'better-sse', 'p50'))}, p99 ${fmtSpread(ratio(n, 'channel', 'better-sse', 'p99'))}. ` +
			`Server CPU per recipient: raw ${cpu('raw')}, bare Response floor ${cpu('response-floor')}, channel ${cpu('channel')}, better-sse ${cpu('better-sse')}` +
			`${row(n, 'emitters') ? `, one emit per produce() stream ${cpu('emitters')}` : ''}; the bare Response floor's p50 is already ` +
			`${fmtRatio(ratio(n, 'response-floor', 'raw', 'p50').value)} the raw loop's.`
		)
	})
	const floorAbove = broadcast.sizes.filter((n) => ratio(n, 'response-floor', 'raw', 'p50').value > 1.3)
	const channelOverFloor = Math.max(...broadcast.sizes.map((n) => ratio(n, 'channel', 'response-floor', 'cpuPerRecipient').value))
	findings.push(
		[
			`### Broadcast (figure 6): ${verdict}`,
			'',
			...perSize.flatMap((line) => [line, '']),
			floorAbove.length
				? `The bare-Response row is the floor of any \`+server.ts\` that streams behind adapter-node (a ReadableStream per client, nothing else): at ` +
					`${floorAbove.map((n) => formatInt(n)).join(' and ')} connections its p50 is already over 1.3× the raw loop's, so the latency target ` +
					'against the raw loop cannot be met by a Response-based design on this path, whatever the channel does; what the channel controls is its ' +
					'distance from that floor (the channel / bare Response rows).'
				: '',
			'',
			'Where the time goes, per recipient (a CPU profile of each server over its measured broadcasts at 5 000 connections, ' +
				'`BENCH_BROADCAST_PROFILE=dir node bench/broadcast.js --only=raw,response-floor,channel,better-sse --sizes=5000 --runs=1`): ' +
				'the raw loop is mostly the kernel\'s loopback `writev` and node:http\'s `res.write`. Any Response adds the WHATWG stream machinery per recipient ' +
				'(`controller.enqueue` fulfils the pending read of setResponse\'s reader, `reader.read()` makes a new read request and calls `pull` through a promise), ' +
				'the garbage those promises and read results leave, and setResponse\'s loop resumed in a microtask. The channel formats and encodes each event once ' +
				'per publish (a Buffer in Node, which node:http writes without making a view of it) and hands the same bytes to every stream that is waiting for ' +
				'them with one `controller.enqueue`: the channel / bare Response rows are what it adds. better-sse on node:http writes to `res` directly, with no ' +
				'ReadableStream, although it serialises and formats the event again for every session; through its Fetch API (`createResponse`) behind the same ' +
				'adapter, it pays the Response floor as well. ' +
				'Latency follows the same order: node:http issues none of a broadcast\'s writes until the synchronous fan-out and every stream\'s microtask have run, so ' +
				'even the first recipient waits for the whole JavaScript pass over the audience, which is longer through the Response path than in the raw loop.',
			'',
			channelOverFloor > 1.1
				? `The channel costs up to ${fmtRatio(channelOverFloor)} the bare Response's CPU per recipient in this run; see the per-run spread in the ratio table.`
				: ''
		].join('\n')
	)
}
if (missed.some((t) => t.figure === '2')) {
	// Per event, in ns: what 1.3× leaves a parser beyond decoding and finding the lines, and what each parser spends there. Built from
	// the same-round ratios (ratio = peer / ours, ceiling = peer / lines) scaled by eventsource-parser's time, because absolute times
	// swing between runs far more than ratios within a round do.
	const budget = (row) => {
		const peer = (row.peer.medianMs * 1e6) / row.events
		return { left: peer * (1 / PARSE_TARGET - 1 / row.ceiling), ours: peer * (1 / row.ratio - 1 / row.ceiling), peer: peer * (1 - 1 / row.ceiling) }
	}
	const missedRows = parse.filter((row) => row.target && row.ratio < PARSE_TARGET)
	findings.push(
		[
			`### Parse (figure 2): missed on ${[...new Set(missedRows.map((row) => row.text))].join(', ')} text`,
			'',
			'On text that is not ASCII both parsers pay the same streaming UTF-8 decode (TextDecoder with `stream: true`, the fastest decode Node 20 ' +
				'has for such text: its one-shot decode and Buffer#toString are 2–3× slower on it), and both must find where every line ends. The ' +
				'"decode + line search" column times just that (one `indexOf(\'\\n\')` per line, no field read, no event built), and "ceiling" is ' +
				'eventsource-parser\'s whole time over it: the ratio a parser that did nothing else would reach. svelte-sse\'s lead on ASCII comes ' +
				'mostly from decoding whole ASCII chunks in one shot, which is slower, not faster, on other text.',
			'',
			'| missed shape | ratio | ceiling | ns/event left at 1.3× beyond decode + lines | svelte-sse spends there | eventsource-parser spends there |',
			'|---|---:|---:|---:|---:|---:|',
			...missedRows.map((row) => {
				const { left, ours, peer } = budget(row)
				return `| ${row.shape} | ${fmtRatio(row.ratio)} | ${fmtRatio(row.ceiling)} | ${left.toFixed(0)} | ${ours.toFixed(0)} | ${peer.toFixed(0)} |`
			}),
			'',
			'"Left" is what 1.3× leaves per event for everything beyond decoding and finding the lines: matching field names, slicing values, ' +
				'joining data lines, building the event and calling back; where it is below zero, the target is above the ceiling. Beside it, what ' +
				'each parser spends on that work in this run. All three come from the same-round ratios (ratio and ceiling) scaled by ' +
				'eventsource-parser\'s median time per event, since absolute times swing between runs far more than ratios within a round. Tried and dropped, being slower: a UTF-8 decoder in JavaScript (`String.fromCharCode` ' +
				'over code units) for small chunks, and one `split(\'\\n\')` per chunk instead of an `indexOf` per line.'
		].join('\n')
	)
}
if (missed.some((t) => t.figure === '3')) {
	findings.push(
		[
			'### Client cost (figure 3): missed for an `$effect` with one event per chunk',
			'',
			'`subscribe` and `listen` cost no signal write at all, and an `$effect` reading `.current` costs one per network chunk. With one event per ' +
				'chunk, that one wake-up per event runs Svelte\'s whole flush (a Batch, the effect rerun), which costs more than the parse. The context ' +
				'rows measure that flush without the library: eventsource-parser writing each chunk\'s last value to a bare `$state` that an `$effect` reads costs ' +
				client.shapes
					.map((row) => `${spreadOf(row.effectFloor)} the plain loop with ${row.shape}`)
					.join(' and ') +
				', and Source → `.current` costs ' +
				client.shapes
					.map((row) => `${spreadOf(row.effectOverEffectFloor)} of that (${row.shape})`)
					.join(' and ') +
				'. Where the bare `$state` row is above the target, the target is below what any client that wakes an `$effect` once per chunk can reach. ' +
				'Waking readers less often than once per chunk would get under it, and svelte-sse does not do it. Once per animation frame, an effect ' +
				'would skip chunks\' values and stop running in a hidden tab, where browsers run no frames (an unread count in `document.title` would ' +
				'freeze); once per task would change nothing in a browser, where each network chunk arrives in a task of its own, and would only ' +
				'flatter this benchmark, whose chunks all arrive in one chain of microtasks.'
		].join('\n')
	)
}
for (const t of missed.filter((t) => !['1', '2', '3', '4', '5', '6'].includes(t.figure))) {
	findings.push(`### ${t.name}: missed\n\nProfile with \`node --cpu-prof\` (see bench/README.md).`)
}

const results = `# Benchmark results

Generated by \`npm run bench\` (bench/run.js) on ${new Date().toISOString().slice(0, 10)} in ${totalSeconds()} s. ${environment()}
${quick ? '\n**Quick run (--quick): fewer events and rounds than the full run.**\n' : ''}
## Summary

${summary}

![ratios](./ratios.svg)

## 1. Emit throughput to one client

${formatThroughput(throughput)}

Method: ${throughput.method}

## 2. Client parse throughput

${formatParseBench(parse)}

Method (bench/parse.js): ${describeParseBench(settings.parse)} ${parseSeconds.toFixed(1)} s.

## 3. Client cost per event, and end to end: server → Selection.current

${clientTable}

Method: ${clientMethod}

${e2eTable}

Method: ${e2eMethod}

## 4. Memory per idle connection

${formatMemory(memory)}

Method: ${memory.method}

## 5. Client bundle size

${formatSize(size)}

Method: ${size.method}

## 6. Broadcast to many connections

${formatBroadcast(broadcast)}

Method: ${broadcast.method}

## 7. Channel backends

${formatBackends(backendsResult)}

Method: ${backendsResult.method}

## Findings

${findings.join('\n\n')}

## How to run

\`npm run bench\` (= \`node bench/run.js\`; builds dist/ with svelte-package first; \`--no-build\` skips that, \`--quick\` is a smoke test).
Single figures: \`node bench/throughput.js\`, \`node bench/parse.js\`, \`node bench/memory.js\`, \`node bench/size.js\`,
\`npx vitest run --config bench/vitest.config.js\` (end to end), \`node --expose-gc bench/memory-attribution.js\`, \`node bench/broadcast.js\`, \`node bench/backends.js\`.
`

writeFileSync(join(here, 'RESULTS.md'), results)
writeFileSync(join(here, 'ratios.svg'), renderRatios(targets))

console.log(`\n## Summary (${environment()})\n`)
console.log(summary)
console.log('\n## 1. Emit throughput\n')
console.log(formatThroughput(throughput))
console.log(`\nMethod: ${throughput.method}`)
console.log('\n## 2. Client parse\n')
console.log(formatParseBench(parse))
console.log('\n## 3. Client cost per event, and end to end\n')
console.log(clientTable)
console.log(`\nMethod: ${clientMethod}\n`)
console.log(e2eTable)
console.log(`\nMethod: ${e2eMethod}`)
console.log('\n## 4. Memory per idle connection\n')
console.log(formatMemory(memory))
console.log(`\nMethod: ${memory.method}`)
console.log('\n## 5. Client bundle size\n')
console.log(formatSize(size))
console.log(`\nMethod: ${size.method}`)
console.log('\n## 6. Broadcast\n')
console.log(formatBroadcast(broadcast))
console.log(`\nMethod: ${broadcast.method}`)
console.log('\n## 7. Channel backends\n')
console.log(formatBackends(backendsResult))
console.log(`\nMethod: ${backendsResult.method}`)
if (missed.length) {
	console.log(`\nMISSED: ${missed.map((t) => `${t.name} (${fmtRatio(t.ratio)}, target ${t.better === 'higher' ? '≥' : '≤'} ${t.target})`).join('; ')}.`)
	console.log('Findings and suggested fixes: bench/RESULTS.md § Findings.')
} else {
	console.log('\nEvery target is met.')
}
console.log(`\nWrote bench/RESULTS.md and bench/ratios.svg in ${totalSeconds()} s.`)

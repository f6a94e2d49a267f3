/**
 * Child process for the emit-throughput benchmark (figure 1). A node:http server on 127.0.0.1
 * with a route per producer, each sending `?n=` events of the same payload and then ending the
 * response, and a plain TCP server (net) that writes a ready-made HTTP response: pre-encoded
 * bytes, the physical limit. With `--kit=/path/to/build/handler.js` the node:http server also
 * passes `/emit/*` to the benchmarks' SvelteKit app (bench/app, adapter-node's handler).
 *
 * Started by bench/throughput.js (and by the end-to-end benchmark, which reads `/ours`) with
 * `--import ./bench/lib/register.js` (for sveltekit-sse's extensionless imports); reports its
 * ports over IPC, then one 'done' message per stream with the server's CPU time over that
 * stream (process.cpuUsage, user + system, µs) and its peak RSS; exits when the parent disconnects.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { setResponse } from '@sveltejs/kit/node'
import { createSession } from 'better-sse'
import { produce as peerProduce } from '../../node_modules/sveltekit-sse/dist/produce.js'
import { EVENT_NAME, payload } from '../lib/events.js'

// SVELTE_SSE_SERVER=/path/to/server.js measures another build of produce() (to try a fix).
const { produce } = await import(process.env.SVELTE_SSE_SERVER ?? '../../dist/server.js')
const kitArg = process.argv.find((arg) => arg.startsWith('--kit='))
const kit = kitArg ? (await import(kitArg.slice('--kit='.length))).handler : undefined

/** Events between two `await ready()` calls in our producer (about 10 KB). */
const READY_EVERY = 100
/** Events sveltekit-sse emits before yielding to the event loop. */
const PEER_BATCH = 100
/** The batched writers' chunk size: what node:http is handed per write. */
const BATCH_BYTES = 65_536
/** Events per better-sse batch: 98 bytes each on its wire, so one batch is about BATCH_BYTES. */
const BETTER_SSE_BATCH = Math.floor(BATCH_BYTES / 98)
const HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' }
const OPENER = ':\n\n'
const event = (i) => `event: ${EVENT_NAME}\ndata: ${payload(i)}\n\n`

/** svelte-sse through setResponse: emit, stop on error, and every READY_EVERY events await ready() (its documented pacing). */
function ours(res, n) {
	const response = produce(
		async ({ emit, lock, ready }) => {
			for (let i = 0; i < n; i++) {
				if (emit(EVENT_NAME, payload(i)).error) return
				if (i % READY_EVERY === READY_EVERY - 1 && (await ready()).error) return
			}
			lock.set(false)
		},
		{ ping: false }
	)
	return setResponse(res, response)
}

/** Context: one res.write per event (each its own HTTP chunk), waiting for 'drain' when write() says so. */
async function raw(res, n) {
	res.writeHead(200, HEADERS)
	res.write(OPENER)
	for (let i = 0; i < n; i++) {
		if (!res.write(event(i))) {
			await once(res, 'drain')
			if (res.destroyed) return
		}
	}
	res.end()
}

/** The floor for a node:http server: the same bytes joined into ~64 KiB strings, one res.write each, waiting for 'drain'. */
async function rawBatched(res, n) {
	res.writeHead(200, HEADERS)
	let batch = OPENER
	for (let i = 0; i < n; i++) {
		batch += event(i)
		if (batch.length >= BATCH_BYTES || i === n - 1) {
			const ok = res.write(batch)
			batch = ''
			if (!ok) {
				await once(res, 'drain')
				if (res.destroyed) return
			}
		}
	}
	res.end()
}

/**
 * sveltekit-sse has no backpressure API and its stream queue is unbounded, so it emits in
 * batches, yields to the event loop between batches, and waits for the socket's 'drain'
 * when node:http reports a full buffer (which bounds the queue to one batch).
 */
function sveltekitSse(res, n) {
	const response = peerProduce(
		async ({ emit, lock }) => {
			for (let i = 0; i < n; i++) {
				if (emit(EVENT_NAME, payload(i)).error) return
				if (i % PEER_BATCH === PEER_BATCH - 1) {
					if (res.writableNeedDrain) await once(res, 'drain')
					else await yieldToLoop()
				}
			}
			lock.set(false)
		},
		{ ping: 1_000_000 }
	)
	return setResponse(res, response)
}

/** better-sse, one event at a time: session.push writes to the response at once (a fixed counter id instead of its random UUID); wait for 'drain' when node:http asks. */
async function betterSse(req, res, n) {
	const session = await createSession(req, res, { retry: null, keepAlive: null, serializer: String })
	for (let i = 0; i < n; i++) {
		session.push(payload(i), EVENT_NAME, String(i + 1))
		if (res.writableNeedDrain) {
			await once(res, 'drain')
			if (!session.isConnected) return
		}
	}
	res.end()
}

/**
 * better-sse's batch API: session.batch fills an EventBuffer (event, data, dispatch: the same
 * fields as the others, no id) with about BATCH_BYTES of events and sends them as one write;
 * wait for 'drain' when node:http asks.
 */
async function betterSseBatch(req, res, n) {
	const session = await createSession(req, res, { retry: null, keepAlive: null, serializer: String })
	for (let i = 0; i < n; ) {
		const end = Math.min(n, i + BETTER_SSE_BATCH)
		await session.batch((buffer) => {
			for (; i < end; i++) buffer.event(EVENT_NAME).data(payload(i)).dispatch()
		})
		if (res.writableNeedDrain) {
			await once(res, 'drain')
			if (!session.isConnected) return
		}
	}
	res.end()
}

let peakRss = 0
let sampler
function startSampling() {
	peakRss = process.memoryUsage.rss()
	sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage.rss())
	}, 10)
}

/**
 * Measures one stream: server CPU (user + system, µs) and peak RSS from now until `stream`
 * closes, and for a node:http response the calls to res.write and the largest chunk handed to
 * it (bytes; a string's length, which is its bytes for this ASCII stream).
 */
function measure(stream, route) {
	const cpu = process.cpuUsage()
	const writes = { calls: 0, bytes: 0, largest: 0 }
	if (typeof stream.writeHead === 'function') {
		const write = stream.write
		stream.write = function (chunk, ...rest) {
			writes.calls++
			writes.bytes += chunk.length
			if (chunk.length > writes.largest) writes.largest = chunk.length
			return write.call(this, chunk, ...rest)
		}
	}
	startSampling()
	stream.once('close', () => {
		const { user, system } = process.cpuUsage(cpu)
		clearInterval(sampler)
		peakRss = Math.max(peakRss, process.memoryUsage.rss())
		process.send?.({ type: 'done', route, peakRss, cpuMicros: user + system, writes: writes.calls ? writes : undefined })
	})
}

const server = createServer((req, res) => {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1')
	const n = Number(url.searchParams.get('n') ?? 1000)
	measure(res, url.pathname)
	if (kit && url.pathname.startsWith('/emit/')) return void kit(req, res)
	switch (url.pathname) {
		case '/ours':
			return void ours(res, n)
		case '/raw':
			return void raw(res, n)
		case '/raw-batched':
			return void rawBatched(res, n)
		case '/sveltekit-sse':
			return void sveltekitSse(res, n)
		case '/better-sse':
			return void betterSse(req, res, n)
		case '/better-sse-batch':
			return void betterSseBatch(req, res, n)
		default:
			res.writeHead(404).end()
	}
})

/** The response the plain socket writes for `n` events, built once per n: head + the body in 64 KiB HTTP chunks. */
const preEncoded = new Map()
function response(n) {
	let bytes = preEncoded.get(n)
	if (!bytes) {
		let text = OPENER
		for (let i = 0; i < n; i++) text += event(i)
		const body = Buffer.from(text)
		const parts = [Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: ${HEADERS['content-type']}\r\ncache-control: ${HEADERS['cache-control']}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`)]
		for (let at = 0; at < body.length; at += BATCH_BYTES) {
			const chunk = body.subarray(at, at + BATCH_BYTES)
			parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'))
		}
		parts.push(Buffer.from('0\r\n\r\n'))
		bytes = Buffer.concat(parts)
		preEncoded.clear()
		preEncoded.set(n, bytes)
	}
	return bytes
}

/** Pre-encoded bytes on a plain socket: read the request head, write the ready-made response in one call. */
const tcp = createTcpServer((socket) => {
	let head = ''
	socket.setEncoding('latin1')
	socket.on('data', function onData(text) {
		head += text
		if (!head.includes('\r\n\r\n')) return
		socket.off('data', onData)
		const target = head.slice(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1))
		const n = Number(new URL(target, 'http://127.0.0.1').searchParams.get('n') ?? 1000)
		const bytes = response(n)
		measure(socket, '/pre-encoded')
		socket.end(bytes)
	})
	socket.on('error', () => {})
})

server.listen(0, '127.0.0.1', () => {
	tcp.listen(0, '127.0.0.1', () => {
		process.send?.({ type: 'listening', port: server.address().port, tcpPort: tcp.address().port })
	})
})
process.on('message', (message) => {
	// builds the pre-encoded response before it is timed
	if (message.type === 'prepare') {
		response(message.n)
		process.send?.({ type: 'prepared' })
	}
})
process.on('disconnect', () => {
	server.closeAllConnections()
	server.close()
	tcp.close()
	process.exit(0)
})

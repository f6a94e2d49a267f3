/**
 * Child process for the emit-throughput benchmark: one node:http server on 127.0.0.1 with a
 * route per producer. Each route sends `?n=` events of the same payload and then ends the
 * response. Started by bench/throughput.js with `--import ./bench/lib/register.js` (for
 * sveltekit-sse's extensionless imports); reports its port over IPC and exits when the parent
 * disconnects.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { setResponse } from '@sveltejs/kit/node'
import { createSession } from 'better-sse'
import { produce as peerProduce } from '../../node_modules/sveltekit-sse/dist/produce.js'
import { payload } from '../lib/events.js'

// SVELTE_SSE_SERVER=/path/to/server.js measures another build of produce() (to try a fix).
const { produce } = await import(process.env.SVELTE_SSE_SERVER ?? '../../dist/server.js')

/** Events between two `await ready()` calls in our producer (about 10 KB). */
const READY_EVERY = 100
/** Events sveltekit-sse emits before yielding to the event loop. */
const PEER_BATCH = 100

/** svelte-sse: emit, stop on error, and every READY_EVERY events await ready() (its documented pacing). */
function ours(res, n) {
	const response = produce(
		async ({ emit, lock, ready }) => {
			for (let i = 0; i < n; i++) {
				if (emit('tick', payload(i)).error) return
				if (i % READY_EVERY === READY_EVERY - 1 && (await ready()).error) return
			}
			lock.set(false)
		},
		{ ping: false }
	)
	return setResponse(res, response)
}

/** The floor: the same SSE bytes written straight to the response, waiting for 'drain' when write() says so. */
async function raw(res, n) {
	res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' })
	res.write(':\n\n')
	for (let i = 0; i < n; i++) {
		if (!res.write(`event: tick\ndata: ${payload(i)}\n\n`)) {
			await once(res, 'drain')
			if (res.destroyed) return
		}
	}
	res.end()
}

/** Context, not the floor of the brief: the same bytes, but written ~64 KiB at a time, as produce() batches them. */
async function rawBatched(res, n) {
	res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' })
	res.write(':\n\n')
	let batch = ''
	for (let i = 0; i < n; i++) {
		batch += `event: tick\ndata: ${payload(i)}\n\n`
		if (batch.length >= 65_536 || i === n - 1) {
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
				if (emit('tick', payload(i)).error) return
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

/** better-sse: session.push writes to the response at once; wait for 'drain' when node:http asks. */
async function betterSse(req, res, n) {
	const session = await createSession(req, res, { retry: null, keepAlive: null, serializer: (data) => String(data) })
	for (let i = 0; i < n; i++) {
		session.push(payload(i), 'tick')
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

const server = createServer((req, res) => {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1')
	const n = Number(url.searchParams.get('n') ?? 1000)
	startSampling()
	res.on('close', () => {
		clearInterval(sampler)
		peakRss = Math.max(peakRss, process.memoryUsage.rss())
		process.send?.({ type: 'done', route: url.pathname, peakRss })
	})
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
		default:
			res.writeHead(404).end()
	}
})

server.listen(0, '127.0.0.1', () => {
	const address = server.address()
	process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 })
})
process.on('disconnect', () => {
	server.closeAllConnections()
	server.close()
	process.exit(0)
})

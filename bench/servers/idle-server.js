/**
 * Child process for the idle-connection memory benchmark (run with --expose-gc). argv[2] picks
 * the handler; every handler answers with the same headers and first bytes (`:\n\n`) and then
 * holds the stream open with a 15-second keep-alive timer. The parent opens the connections;
 * on {type:'measure'} this process collects garbage and reports its memory.
 */
import { createServer } from 'node:http'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { getHeapStatistics } from 'node:v8'
import { getRequest, setResponse } from '@sveltejs/kit/node'

// SVELTE_SSE_SERVER=/path/to/server.js measures another build of produce() (to try a fix).
const { produce } = await import(process.env.SVELTE_SSE_SERVER ?? '../../dist/server.js')

const mode = process.argv[2]
const PING = 15_000
const HEADERS = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-cache, no-transform',
	'x-accel-buffering': 'no'
}

const handlers = {
	/** svelte-sse with its defaults (15 s ping), written by adapter-node's setResponse. */
	ours(req, res) {
		void setResponse(res, produce(() => {}))
	},
	/** The same, with the Request that adapter-node builds for every request passed as `options.request`. */
	'ours+request'(req, res) {
		getRequest({ request: req, base: 'http://127.0.0.1' }).then((request) => setResponse(res, produce(() => {}, { request })))
	},
	/**
	 * The floor for any handler that returns a streaming Response (as a SvelteKit +server.ts
	 * does): a bare ReadableStream that enqueues the first bytes, in a Response with the same
	 * headers, written by setResponse, plus the same keep-alive timer. No queue, no lock, no emit.
	 */
	'response-floor'(req, res) {
		let timer
		const opener = new TextEncoder().encode(':\n\n')
		const body = new ReadableStream(
			{
				start(controller) {
					controller.enqueue(opener)
					timer = setInterval(() => controller.enqueue(opener), PING)
					timer.unref()
				},
				cancel() {
					clearInterval(timer)
				}
			},
			{ highWaterMark: 0 }
		)
		void setResponse(res, new Response(body, { headers: HEADERS }))
	},
	/** A raw node:http SSE handler: same headers and first bytes, and the same keep-alive. */
	raw(req, res) {
		res.writeHead(200, HEADERS)
		res.write(':\n\n')
		const timer = setInterval(() => res.write(':ping\n\n'), PING)
		timer.unref()
		res.on('close', () => clearInterval(timer))
	}
}

const handler = handlers[mode]
if (!handler) throw new Error(`Unknown mode ${mode}; expected one of ${Object.keys(handlers).join(', ')}.`)

async function collect() {
	for (let i = 0; i < 4; i++) {
		globalThis.gc?.()
		await yieldToLoop()
	}
	const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage()
	return { rss, heapUsed, external, arrayBuffers, heapCommitted: getHeapStatistics().total_heap_size }
}

const server = createServer(handler)
server.keepAliveTimeout = 0
server.headersTimeout = 0
server.requestTimeout = 0

process.on('message', async (message) => {
	if (message.type === 'measure') process.send({ type: 'memory', memory: await collect(), connections: await new Promise((r) => server.getConnections((_, n) => r(n))) })
})
process.on('disconnect', () => {
	server.closeAllConnections()
	server.close()
	process.exit(0)
})

server.listen(0, '127.0.0.1', () => {
	const address = server.address()
	process.send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 })
})

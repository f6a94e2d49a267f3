/**
 * Child process for the idle-connection memory benchmark (figure 4), run with --expose-gc.
 * argv[2] picks the handler: `raw` is a node:http SSE handler (context); every other mode is a
 * route of the benchmarks' SvelteKit app served by its adapter-node build/handler.js (path in
 * argv[3]), the way a deployed app serves it: getRequest → server.respond → the +server.ts
 * route → setResponse. The parent opens the connections; on {type:'measure'} this process
 * collects garbage and reports its memory and how many connections it holds.
 */
import { createServer } from 'node:http'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { getHeapStatistics } from 'node:v8'

const [mode, handlerPath] = process.argv.slice(2)
const PING = 15_000
const HEADERS = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-cache, no-transform',
	'x-accel-buffering': 'no'
}

/** The SvelteKit app's route for each mode (bench/app/src/routes/idle/…). */
const ROUTES = {
	ours: '/idle/ours',
	'response-floor': '/idle/response',
	'sveltekit-sse': '/idle/sveltekit-sse',
	'better-sse': '/idle/better-sse'
}

/** A raw node:http SSE handler: the same headers and first bytes as svelte-sse, and the same keep-alive. */
function raw(req, res) {
	res.writeHead(200, HEADERS)
	res.write(':\n\n')
	const timer = setInterval(() => res.write(':\n\n'), PING)
	res.on('close', () => clearInterval(timer))
}

let handler
if (mode === 'raw') handler = raw
else if (ROUTES[mode]) {
	const { handler: kit } = await import(handlerPath)
	const route = ROUTES[mode]
	handler = (req, res) => {
		req.url = route
		kit(req, res)
	}
} else throw new Error(`Unknown mode ${mode}; expected raw or one of ${Object.keys(ROUTES).join(', ')}.`)

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

/**
 * Child process for the broadcast benchmark: one node:http server on 127.0.0.1 whose every
 * request joins one audience, and a broadcast routine run on command. argv[2] picks the producer:
 *
 *   raw         node:http responses in a Set; one Buffer per broadcast, res.write(buf) for each
 *   channel     svelte-sse channel('bench', { backend: memory() }).produce(request) through
 *               adapter-node's getRequest/setResponse; broadcast = await room.publish('tick', data)
 *   better-sse  createSession + createChannel().register; broadcast = channel.broadcast(data, 'tick', { eventId })
 *   emitters    svelte-sse produce() per request, its emit kept in a Set; broadcast = one emit per stream
 *   response-floor  a bare ReadableStream per request in a Response through setResponse; broadcast =
 *               controller.enqueue(bytes) for each: what any Response-based handler pays, no library
 *
 * Messages (IPC): {type:'count'} → {type:'count', n} (streams ready to receive);
 * {type:'run', warmup, count, interval} → broadcasts warmup + count events, `interval` ms apart,
 * and answers {type:'ran', cpu, sendMs} for the last `count` of them: the process's CPU time
 * (user + system, µs) over them and, per broadcast, the time from stamping the event to the
 * event loop being free again (every write issued).
 *
 * BENCH_BROADCAST_PROFILE=dir writes a CPU profile of the measured broadcasts (only) into dir,
 * as broadcast-<producer>-<N>-<time>.cpuprofile.
 */
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises'
import { getRequest, setResponse } from '@sveltejs/kit/node'
import { createChannel, createResponse, createSession } from 'better-sse'
import { EVENT_NAME, idOf, nowMicros, tick } from '../lib/broadcast.js'

// SVELTE_SSE_SERVER=/path/to/server.js measures another build (to try a fix).
const { channel, memory, produce } = await import(process.env.SVELTE_SSE_SERVER ?? '../../dist/server.js')

const mode = process.argv[2]
const HEADERS = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-cache, no-transform',
	'x-accel-buffering': 'no'
}
const BASE = 'http://127.0.0.1'

/** Serves `req` the way adapter-node does: its Request through getRequest, `respond`'s Response through setResponse. */
function throughAdapter(req, res, respond) {
	getRequest({ request: req, base: BASE }).then((request) => setResponse(res, respond(request)))
}

/** Each producer: handle(req, res), count() of streams ready, broadcast(seq) (may return a promise). */
const producers = {
	raw() {
		const audience = new Set()
		let published = 0
		return {
			handle(req, res) {
				res.writeHead(200, HEADERS)
				res.write(':\n\n')
				audience.add(res)
				res.on('close', () => audience.delete(res))
			},
			count: () => audience.size,
			broadcast(seq) {
				const data = JSON.stringify(tick(seq))
				const bytes = Buffer.from(`id: ${idOf(++published)}\nevent: ${EVENT_NAME}\ndata: ${data}\n\n`)
				for (const res of audience) res.write(bytes)
			}
		}
	},
	channel() {
		const room = channel('bench', { backend: memory() })
		return {
			handle(req, res) {
				throughAdapter(req, res, (request) => room.produce(request, { ping: false }))
			},
			count: () => room.subscribers,
			broadcast: (seq) => room.publish(EVENT_NAME, tick(seq))
		}
	},
	'better-sse'() {
		const room = createChannel()
		let published = 0
		return {
			handle(req, res) {
				createSession(req, res, { retry: null, keepAlive: null }).then((session) => room.register(session))
			},
			count: () => room.sessionCount,
			broadcast(seq) {
				room.broadcast(tick(seq), EVENT_NAME, { eventId: idOf(++published) })
			}
		}
	},
	/** better-sse as a SvelteKit +server.ts would use it: its Fetch API (createResponse) behind the same adapter as the channel. */
	'better-sse-response'() {
		const room = createChannel()
		let published = 0
		return {
			handle(req, res) {
				throughAdapter(req, res, (request) => createResponse(request, { retry: null, keepAlive: null }, (session) => room.register(session)))
			},
			count: () => room.sessionCount,
			broadcast(seq) {
				room.broadcast(tick(seq), EVENT_NAME, { eventId: idOf(++published) })
			}
		}
	},
	/** The floor of a Fetch-Response handler behind adapter-node: one encoded chunk enqueued to every stream's controller. */
	'response-floor'() {
		const controllers = new Set()
		const opener = new TextEncoder().encode(':\n\n')
		let published = 0
		return {
			handle(req, res) {
				throughAdapter(req, res, (request) => {
					let controller
					const body = new ReadableStream(
						{
							start(c) {
								controller = c
								c.enqueue(opener)
								controllers.add(c)
							},
							cancel() {
								controllers.delete(controller)
							}
						},
						{ highWaterMark: 0 }
					)
					request.signal.addEventListener('abort', () => controllers.delete(controller))
					return new Response(body, { headers: HEADERS })
				})
			},
			count: () => controllers.size,
			broadcast(seq) {
				const data = JSON.stringify(tick(seq))
				// a Buffer (a Uint8Array that node:http writes without making a view of it), as the channel hands over in Node
				const bytes = Buffer.from(`id: ${idOf(++published)}\nevent: ${EVENT_NAME}\ndata: ${data}\n\n`)
				for (const controller of controllers) controller.enqueue(bytes)
			}
		}
	},
	emitters() {
		const emitters = new Set()
		let published = 0
		return {
			handle(req, res) {
				throughAdapter(req, res, (request) =>
					produce(
						({ emit }) => {
							emitters.add(emit)
							return () => emitters.delete(emit)
						},
						{ request, ping: false }
					)
				)
			},
			count: () => emitters.size,
			broadcast(seq) {
				const data = tick(seq)
				const options = { id: idOf(++published) }
				for (const emit of emitters) emit(EVENT_NAME, data, options)
			}
		}
	}
}

if (!producers[mode]) throw new Error(`Unknown producer ${mode}; expected one of ${Object.keys(producers).join(', ')}.`)
const producer = producers[mode]()

const profileDir = process.env.BENCH_BROADCAST_PROFILE
const inspector = profileDir ? new Session() : undefined

async function run({ warmup, count, interval }) {
	const sendMs = []
	let cpuBefore
	for (let seq = 0; seq < warmup + count; seq++) {
		if (seq === warmup) {
			if (inspector) {
				inspector.connect()
				await inspector.post('Profiler.enable')
				await inspector.post('Profiler.setSamplingInterval', { interval: 100 })
				await inspector.post('Profiler.start')
			}
			cpuBefore = process.cpuUsage()
		}
		const start = nowMicros()
		await producer.broadcast(seq)
		// every write is issued once the microtasks have run (setResponse writes in them)
		await yieldToLoop()
		if (seq >= warmup) sendMs.push((nowMicros() - start) / 1000)
		await sleep(interval)
	}
	const cpu = process.cpuUsage(cpuBefore)
	if (inspector) {
		const { profile } = await inspector.post('Profiler.stop')
		writeFileSync(join(profileDir, `broadcast-${mode}-${process.argv[3] ?? ''}-${Date.now()}.cpuprofile`), JSON.stringify(profile))
		inspector.disconnect()
	}
	return { cpu: cpu.user + cpu.system, sendMs }
}

const server = createServer((req, res) => producer.handle(req, res))
server.keepAliveTimeout = 0
server.headersTimeout = 0
server.requestTimeout = 0

process.on('message', async (message) => {
	if (message.type === 'count') process.send({ type: 'count', n: producer.count() })
	else if (message.type === 'run') process.send({ type: 'ran', ...(await run(message)) })
})
process.on('disconnect', () => {
	server.closeAllConnections()
	server.close()
	process.exit(0)
})

// the kernel caps the backlog at net.core.somaxconn; the client connects in batches below it
server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, () => {
	const address = server.address()
	process.send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 })
})

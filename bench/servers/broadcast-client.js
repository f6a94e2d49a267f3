/**
 * Child process for the broadcast benchmark: the audience. It holds N plain TCP connections
 * (net.connect and a hand-written GET, so no HTTP parser runs per chunk), timestamps every
 * chunk as it is read, finds the benchmark's events in it and records, per event, receipt time
 * minus the publish time stamped in its data (one monotonic clock for the whole machine).
 *
 * Messages (IPC):
 *   {type:'connect', port, n, broadcasts, batch} → opens n connections, `batch` at a time, each
 *     counted once its response headers arrived → {type:'connected'}
 *   {type:'report', from, count} → waits (up to 10 s) for broadcasts from..from+count-1 to reach
 *     every connection → {type:'report', …figures in µs}
 *   {type:'close'} → destroys every connection → {type:'closed'}
 */
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { MARKER, nowMicros } from '../lib/broadcast.js'

let sockets = []
/** latency[seq * n + index] in µs; NaN until received. */
let latency = new Float64Array(0)
let received = new Uint32Array(0)
let eventBytes = 0
let n = 0

function parseDigits(text, at) {
	let value = 0
	for (let code = text.charCodeAt(at); code >= 48 && code <= 57; code = text.charCodeAt(++at)) value = value * 10 + (code - 48)
	return value
}

/** Opens connection `index`; resolves once the response headers arrived. */
function open(port, index) {
	return new Promise((resolve, reject) => {
		const socket = connect({ port, host: '127.0.0.1', noDelay: true })
		let rest = ''
		let headers = false
		socket.on('error', (error) => (headers ? undefined : reject(error)))
		socket.on('connect', () => socket.write('GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n'))
		socket.on('data', (chunk) => {
			const now = nowMicros()
			let text = rest + chunk.latin1Slice(0, chunk.length)
			if (!headers) {
				const end = text.indexOf('\r\n\r\n')
				if (end === -1) return void (rest = text)
				headers = true
				text = text.slice(end + 4)
				resolve(socket)
			}
			// only whole events: what follows the last blank line waits for the next chunk
			const last = text.lastIndexOf('\n\n')
			if (last === -1) return void (rest = text)
			rest = text.slice(last + 2)
			for (let at = text.indexOf(MARKER); at !== -1 && at < last; at = text.indexOf(MARKER, at + 1)) {
				const t = parseDigits(text, at + MARKER.length)
				const seqAt = text.indexOf('"seq":', at)
				const seq = parseDigits(text, seqAt + 6)
				const slot = seq * n + index
				if (slot < latency.length && Number.isNaN(latency[slot])) {
					latency[slot] = now - t
					received[seq]++
				}
				if (index === 0 && eventBytes === 0) {
					// the event's bytes: from the end of the HTTP chunk-size line to its blank line
					const stop = text.indexOf('\n\n', at) + 2
					const start = text.lastIndexOf('\r\n', at) + 2
					eventBytes = stop - start
				}
			}
		})
	})
}

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN
	return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

async function report({ from, count }) {
	const deadline = Date.now() + 10_000
	const complete = () => {
		for (let seq = from; seq < from + count; seq++) if (received[seq] < n) return false
		return true
	}
	while (!complete() && Date.now() < deadline) await sleep(20)
	const all = []
	const lastArrival = []
	let missing = 0
	for (let seq = from; seq < from + count; seq++) {
		let worst = 0
		for (let index = 0; index < n; index++) {
			const value = latency[seq * n + index]
			if (Number.isNaN(value)) missing++
			else {
				all.push(value)
				if (value > worst) worst = value
			}
		}
		lastArrival.push(worst)
	}
	all.sort((a, b) => a - b)
	lastArrival.sort((a, b) => a - b)
	return {
		p50: percentile(all, 0.5),
		p99: percentile(all, 0.99),
		max: all[all.length - 1],
		lastArrivalMedian: percentile(lastArrival, 0.5),
		missing,
		eventBytes
	}
}

process.on('message', async (message) => {
	if (message.type === 'connect') {
		n = message.n
		latency = new Float64Array(message.broadcasts * n).fill(NaN)
		received = new Uint32Array(message.broadcasts)
		eventBytes = 0
		sockets = []
		for (let opened = 0; opened < n; ) {
			const size = Math.min(message.batch, n - opened)
			sockets.push(...(await Promise.all(Array.from({ length: size }, (_, i) => open(message.port, opened + i)))))
			opened += size
		}
		process.send({ type: 'connected' })
	} else if (message.type === 'report') {
		process.send({ type: 'report', ...(await report(message)) })
	} else if (message.type === 'close') {
		for (const socket of sockets) socket.destroy()
		sockets = []
		process.send({ type: 'closed' })
	}
})
process.on('disconnect', () => process.exit(0))
process.send({ type: 'ready' })

// Exists for e2e tests (e2e/server.spec.ts): emits up to 100 000 events of 1 KB as fast as it
// can to a client that never reads, and records how many emits succeeded, the error that ended
// them and the process's RSS before and at its peak, to show the queue bound holds on a real
// server.
import { produce, type Emit } from 'svelte-sse/server'
import { recordStop, track, type FloodRecord } from '$lib/registry.js'
import type { RequestHandler } from './$types'

const EVENTS = 100_000
const PAYLOAD = 'x'.repeat(1000)

async function flood(emit: Emit, record: FloodRecord): Promise<void> {
	const began = Date.now()
	const sample = () => {
		record.rssPeak = Math.max(record.rssPeak, process.memoryUsage.rss())
		record.samples++
	}
	const sampler = setInterval(sample, 2)
	try {
		for (let i = 0; i < EVENTS; i++) {
			// the index keeps each event distinct; the event is about 1 KB on the wire
			const { error } = emit('chunk', `${i} ${PAYLOAD}`)
			if (error) {
				record.error = { name: error.name, message: error.message }
				break
			}
			record.accepted++
			if (i % 100 === 99) {
				sample()
				// let the server write (and the sampler run) as a real producer would
				await new Promise((resolve) => setTimeout(resolve, 0))
			}
		}
	} finally {
		sample()
		clearInterval(sampler)
		record.elapsed = Date.now() - began
		record.done = true
	}
}

export const GET: RequestHandler = ({ params, request }) => {
	const run = track(params.id, 'flood')
	const rss = process.memoryUsage.rss()
	const record: FloodRecord = { accepted: 0, rssBefore: rss, rssPeak: rss, samples: 0, done: false }
	run.flood = record
	return produce(
		({ emit }) => {
			void flood(emit, record)
		},
		{ request, ping: false, stop: recordStop(run) }
	)
}

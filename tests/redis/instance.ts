/**
 * One app instance for the multi-process test, run as its own Node process: a channel on Redis
 * served over HTTP at /events; with PUBLISH=1 it also publishes 1, 2, 3… without pausing,
 * retrying a number until Redis takes it. Prints `listening <url>` once it serves.
 */
import { channel } from '../../src/lib/server.js'
import { redis } from '../../src/lib/redis/index.js'
import { serve } from '../helpers/serve.js'

// The test compares what every client received with what the stream holds, so the stream must
// hold all of it: with the default cap (about 1 000) a fast publisher trims the first events
// before the test reads them back.
const backend = redis({ url: process.env.REDIS_URL, prefix: process.env.PREFIX, maxLength: 1_000_000 })
const room = channel<{ n: number }>('cluster', { backend })
const served = await serve((request) => room.produce(request, { ping: 1000 }))

if (process.env.PUBLISH === '1') {
	let n = 1
	void (async () => {
		for (;;) {
			try {
				await room.publish('n', n)
				n++
			} catch {
				await new Promise((resolve) => setTimeout(resolve, 20))
			}
		}
	})()
}
console.log(`listening ${served.url}`)

import { createClient } from 'redis'
import { redis } from '$lib/redis/index.js'

export const backend = redis({
	url: 'redis://cache.internal:6379', // or `client`: a node-redis client of your own (connected or not)
	prefix: 'myapp:sse:', // each channel is the stream `prefix + name`; default 'sse:'
	maxLength: 10_000, // about how many events each channel keeps (XADD MAXLEN ~); default 1 000
	timeout: 2_000 // a command that takes longer fails, so publish never hangs; default 5 000 ms
})

// with a client of your own (TLS, auth, RESP3…): the backend duplicates it for its blocking reads
// and leaves it open when you close the backend
export const tls = redis({ client: createClient({ url: 'rediss://cache.internal:6380' }) })

// on shutdown: stops reading and closes the connections the backend opened
export const shutdown = () => backend.close()

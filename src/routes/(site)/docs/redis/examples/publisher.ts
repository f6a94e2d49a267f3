import { env } from '$env/dynamic/private'
import { redis } from '$lib/redis/index.js'
import { channel } from '$lib/server.js'

type OrderEvents = { shipped: { order: string; carrier: string } }

// any process can publish, not only the one that holds the streams: a worker, a webhook
// handler, a script. The same prefix and channel name reach the same Redis stream.
const backend = redis({ url: env.REDIS_URL })
const orders = channel<OrderEvents>('orders', { backend })

export async function markShipped(order: string, carrier: string): Promise<string> {
	// resolves with the Redis stream id, e.g. "1764633600000-0", once Redis holds the event
	return orders.publish('shipped', { order, carrier })
}

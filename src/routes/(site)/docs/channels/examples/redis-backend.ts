import { env } from '$env/dynamic/private'
import { redis } from '$lib/redis/index.js'
import { channel } from '$lib/server.js'

type RoomEvents = { message: { from: string; text: string } }

// one backend per process, made once: its two connections serve every channel on it
export const backend = redis({ url: env.REDIS_URL })

export const room = channel<RoomEvents>('room', { backend })

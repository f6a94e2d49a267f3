// The Redis entry ("svelte-sse/redis"): a channel backend on Redis Streams.
export { redis, RedisUnavailableError } from './redis.js'
export type { RedisOptions, RedisBackend, RedisClient } from './redis.js'

/**
 * A channel backend on Redis Streams, through node-redis (the `redis` package, an optional peer
 * dependency: only users of `svelte-sse/redis` install it). Each channel is one stream; its ids
 * are the stream's ids, the same on every instance, so a client resumes on any of them. Each
 * process reads every channel it serves through one blocking connection (XREAD BLOCK), however
 * many channels and subscribers it has.
 */
import type { Backend, LiveListener, StoredEvent } from '../server/channel.js'

/** The part of a node-redis client this backend uses (v4 and later). */
export interface RedisClient {
	sendCommand(args: string[]): Promise<unknown>
	duplicate(): RedisClient
	connect(): Promise<unknown>
	readonly isOpen: boolean
	readonly isReady: boolean
	on(event: 'error', listener: (error: Error) => void): unknown
	off?(event: 'error', listener: (error: Error) => void): unknown
	close?(): Promise<unknown>
	quit?(): Promise<unknown>
	destroy?(): unknown
	disconnect?(): Promise<unknown>
}

/** Options of `redis()`. */
export interface RedisOptions {
	/** The server to connect to, e.g. `redis://127.0.0.1:6379`. Default: node-redis's (localhost:6379). */
	url?: string
	/**
	 * A node-redis client to use instead (connected or not). The backend makes one more
	 * connection from it (`duplicate()`) for its blocking reads, and leaves the client open on `close()`.
	 */
	client?: RedisClient
	/** Prepended to each channel's name to make its stream's key. Default `"sse:"`. */
	prefix?: string
	/** About how many events each channel keeps for replay (XADD MAXLEN ~). Default 1 000. */
	maxLength?: number
	/** How long a command may take before it fails (ms), so `publish` never hangs. Default 5 000. */
	timeout?: number
}

/** A Redis backend; `close()` ends its connections. */
export interface RedisBackend extends Backend {
	/** Stops reading and closes the connections this backend opened (not a client you gave it). */
	close(): Promise<void>
}

/** Raised when Redis cannot be reached or does not answer in time. */
export class RedisUnavailableError extends Error {
	override name = 'RedisUnavailableError'
}

const STREAM_ID = /^(\d+)-(\d+)$/
const BLOCK_MS = 5000
const PAGE = 100

/** Stream ids order by their two numbers (milliseconds, then sequence). */
function compare(a: string, b: string): number {
	const [, am = '0', as = '0'] = STREAM_ID.exec(a) ?? []
	const [, bm = '0', bs = '0'] = STREAM_ID.exec(b) ?? []
	return Number(am) - Number(bm) || Number(as) - Number(bs)
}

type Entry = [id: string, fields: unknown]

/** An entry's fields as RESP2 (a flat array) or RESP3 (a map) give them. */
function toEvent([id, fields]: Entry): StoredEvent {
	const map = new Map<string, string>()
	if (Array.isArray(fields)) for (let index = 0; index + 1 < fields.length; index += 2) map.set(String(fields[index]), String(fields[index + 1]))
	else if (fields instanceof Map) for (const [key, value] of fields) map.set(String(key), String(value))
	else if (fields && typeof fields === 'object') for (const [key, value] of Object.entries(fields)) map.set(key, String(value))
	return { id: String(id), event: map.get('event') ?? 'message', data: map.get('data') ?? '' }
}

/** XREAD's reply as [key, entries] pairs, whether RESP2 (an array) or RESP3 (a map). */
function streamsOf(reply: unknown): Array<[string, Entry[]]> {
	if (reply === null || reply === undefined) return []
	if (Array.isArray(reply)) return reply.map(([key, entries]) => [String(key), entries as Entry[]])
	if (reply instanceof Map) return [...reply].map(([key, entries]) => [String(key), entries as Entry[]])
	return Object.entries(reply as Record<string, Entry[]>)
}

interface Stream {
	/** The id after which the reader reads next. */
	cursor: string
	listeners: Set<LiveListener>
}

/**
 * A backend on Redis Streams: XADD with an approximate MAXLEN cap to publish, XRANGE to replay,
 * and one XREAD BLOCK loop per process for live events. When Redis drops or restarts, it
 * reconnects and reads on from each stream's last id, so nothing Redis kept is lost; meanwhile
 * `publish` rejects with a {@link RedisUnavailableError}.
 *
 * @example
 * // src/lib/server/backend.ts
 * import { redis } from 'svelte-sse/redis'
 * export const backend = redis({ url: process.env.REDIS_URL })
 * // +server.ts: channel('room', { backend }).produce(request)
 * @throws {RangeError} when `maxLength` or `timeout` is out of range.
 */
export function redis(options: RedisOptions = {}): RedisBackend {
	const { prefix = 'sse:', maxLength = 1000, timeout = 5000 } = options
	if (!Number.isSafeInteger(maxLength) || maxLength < 1) throw new RangeError(`maxLength must be a whole number of events, 1 or more, got ${String(maxLength)}.`)
	if (!(typeof timeout === 'number' && timeout > 0)) throw new RangeError(`timeout must be a positive number of milliseconds, got ${String(timeout)}.`)
	const streams = new Map<string, Stream>()
	let closed = false
	let connected: Promise<{ commands: RedisClient; reader: RedisClient }> | undefined
	const opened: RedisClient[] = []
	/** Set when the key set changed: the reader's XREAD in flight must start again with it. */
	let stale = false
	let readerId: string | undefined
	let wake: (() => void) | undefined
	let loop: Promise<void> | undefined

	const report = (error: unknown) => {
		const failure = error instanceof Error ? error : new Error(String(error))
		for (const stream of streams.values()) for (const listener of stream.listeners) listener.error?.(failure)
	}

	async function open(client: RedisClient): Promise<RedisClient> {
		// node-redis throws on an 'error' event nobody listens to; its reconnects are reported here instead
		client.on('error', () => {})
		if (!client.isOpen) await client.connect()
		return client
	}

	function connect(): Promise<{ commands: RedisClient; reader: RedisClient }> {
		connected ??= (async () => {
			let commands = options.client
			if (!commands) {
				const { createClient } = (await import('redis').catch((cause: unknown) => {
					throw new Error('svelte-sse/redis needs the `redis` package (node-redis): npm install redis', { cause })
				})) as { createClient(options: object): RedisClient }
				// without the offline queue, a command fails at once while Redis is unreachable
				commands = createClient({ url: options.url, disableOfflineQueue: true })
				opened.push(commands)
			}
			await open(commands)
			const reader = await open(commands.duplicate())
			opened.push(reader)
			return { commands, reader }
		})()
		connected.catch(() => (connected = undefined))
		return connected
	}

	/**
	 * Runs a command, failing instead of waiting while Redis is unreachable or slow: `timeout`
	 * bounds the whole of it, the first connection included (node-redis would try to connect for
	 * ever; it goes on trying in the background, for the commands after this one).
	 */
	async function command(args: string[]): Promise<unknown> {
		if (closed) throw new RedisUnavailableError('The Redis backend is closed.')
		let timer: ReturnType<typeof setTimeout> | undefined
		let sent = false
		const late = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() => reject(new RedisUnavailableError(sent ? `Redis did not answer ${args[0]} within ${timeout} ms.` : `Redis could not be reached within ${timeout} ms.`)),
				timeout
			)
		})
		try {
			// a failure to connect (no `redis` package, a refused password) is thrown as it is
			const { commands } = await Promise.race([connect(), late])
			if (!commands.isReady) throw new RedisUnavailableError('Redis is unreachable (reconnecting).')
			sent = true
			try {
				return await Promise.race([commands.sendCommand(args), late])
			} catch (error) {
				if (error instanceof RedisUnavailableError) throw error
				throw new RedisUnavailableError(`Redis failed ${args[0]}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
			}
		} finally {
			clearTimeout(timer)
		}
	}

	/** Stops the reader's XREAD in flight, so that it reads again with the new set of streams. */
	async function interrupt(): Promise<void> {
		stale = true
		wake?.()
		for (let tries = 0; tries < 20 && stale && !closed; tries++) {
			if (readerId !== undefined && Number(await command(['CLIENT', 'UNBLOCK', readerId]).catch(() => 0)) === 1) return
			// the reader is between two reads: it takes the new set when it sends the next one
			await new Promise((resolve) => setTimeout(resolve, 5))
		}
	}

	async function read(): Promise<void> {
		let failing = false
		while (!closed) {
			if (streams.size === 0) {
				await new Promise<void>((resolve) => (wake = resolve))
				wake = undefined
				continue
			}
			try {
				const { reader } = await connect()
				readerId ??= String(await reader.sendCommand(['CLIENT', 'ID']))
				const keys = [...streams.keys()]
				stale = false
				const reply = await reader.sendCommand(['XREAD', 'BLOCK', String(BLOCK_MS), 'STREAMS', ...keys, ...keys.map((key) => streams.get(key)!.cursor)])
				failing = false
				for (const [key, entries] of streamsOf(reply)) {
					const stream = streams.get(key)
					if (!stream) continue
					for (const entry of entries) {
						const event = toEvent(entry)
						if (compare(event.id, stream.cursor) <= 0) continue
						stream.cursor = event.id
						for (const listener of [...stream.listeners]) listener.event(event)
					}
				}
			} catch (error) {
				if (closed) return
				// the connection dropped: node-redis reconnects it (with a new client id)
				readerId = undefined
				if (!failing) report(error)
				failing = true
				await new Promise((resolve) => setTimeout(resolve, 100))
			}
		}
	}

	const key = (channel: string) => prefix + channel

	return {
		async publish(channel, event, data) {
			const id = await command(['XADD', key(channel), 'MAXLEN', '~', String(maxLength), '*', 'event', event, 'data', data])
			return String(id)
		},

		async subscribe(channel, listener) {
			const name = key(channel)
			let stream = streams.get(name)
			if (!stream) {
				// read on from the stream's latest id: everything published from now on
				const [last] = (await command(['XREVRANGE', name, '+', '-', 'COUNT', '1'])) as Entry[]
				// another subscriber may have come meanwhile
				stream = streams.get(name)
				if (!stream) {
					stream = { cursor: last ? String(last[0]) : '0-0', listeners: new Set() }
					streams.set(name, stream)
					loop ??= read()
					await interrupt()
				}
			}
			const { listeners } = stream
			listeners.add(listener)
			return () => {
				listeners.delete(listener)
				if (listeners.size === 0 && streams.get(name)?.listeners === listeners) {
					streams.delete(name)
					void interrupt()
				}
			}
		},

		async history(channel, from) {
			if (!STREAM_ID.test(from)) return undefined
			// inclusive of `from`: finding it proves nothing between it and the rest was trimmed
			const entries = (await command(['XRANGE', key(channel), from, '+'])) as Entry[]
			if (entries.length === 0 || String(entries[0]![0]) !== from) return undefined
			return entries.slice(1).map(toEvent)
		},

		async latest(channel, event) {
			let end = '+'
			for (;;) {
				const entries = (await command(['XREVRANGE', key(channel), end, '-', 'COUNT', String(PAGE)])) as Entry[]
				for (const entry of entries) {
					const stored = toEvent(entry)
					if (event === undefined || stored.event === event) return stored
				}
				if (entries.length < PAGE) return undefined
				end = `(${String(entries[entries.length - 1]![0])}`
			}
		},

		compare,

		async close() {
			if (closed) return
			closed = true
			wake?.()
			const [reader, ...rest] = opened.splice(0).reverse()
			// the reader may be blocked in XREAD for seconds: it is cut off, not waited for
			if (reader) await Promise.resolve((reader.destroy ?? reader.disconnect)?.call(reader)).catch(() => {})
			await Promise.all(rest.map((client) => Promise.resolve((client.close ?? client.quit)?.call(client)).catch(() => {})))
			await loop
		}
	}
}

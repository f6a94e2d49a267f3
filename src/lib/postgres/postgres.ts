/**
 * A channel backend on Postgres, through postgres.js (the `postgres` package, an optional peer
 * dependency: only users of `svelte-sse/postgres` install it, and the app hands over its own
 * `sql`). Events live in a table, so a client resumes on any instance and nothing committed is
 * lost while an instance or Postgres restarts; NOTIFY only says where to look (a channel and an
 * id, never the data, so events are not bound by NOTIFY's 8 000-byte payload limit), and each
 * process listens on one connection, however many channels and subscribers it has.
 */
import type { Backend, LiveListener, StoredEvent } from '../server/channel.js'

/** A query postgres.js has not finished: a promise of its rows that can be cancelled. */
export interface PostgresQuery extends PromiseLike<readonly object[]> {
	cancel(): unknown
}

/**
 * The part of a postgres.js `sql` instance (v3) this backend uses. Nothing of postgres.js is
 * imported: pass the `sql` your app already has, e.g. `postgres(process.env.DATABASE_URL)`.
 */
export interface PostgresSql {
	unsafe(query: string, parameters?: Array<string | number>, options?: { prepare?: boolean }): PostgresQuery
	listen(channel: string, onnotify: (payload: string) => void, onlisten?: () => void): PromiseLike<{ unlisten(): PromiseLike<unknown> }>
}

/** Options of `postgres()`. */
export interface PostgresOptions {
	/**
	 * The app's postgres.js instance. The backend leaves it open on `close()`. Make it with
	 * `fetch_types: false`: the backend needs no array types, and postgres.js 3.4 can end the
	 * process when a connection fails while it fetches them (porsager/postgres#1192).
	 */
	sql: PostgresSql
	/**
	 * The events table, optionally schema-qualified (`app.sse_events`); lowercase letters, digits
	 * and underscores. Its counters go in `<table>_channels`, and it names the NOTIFY channel too.
	 * Default `"sse_events"`.
	 */
	table?: string
	/** How many events each channel keeps for replay. Default 1 000. */
	history?: number
	/** Also forget events older than this many milliseconds. Default: kept until `history` pushes them out. */
	maxAge?: number
	/** How long a query may take before it fails (ms), so `publish` never hangs. Default 5 000. */
	timeout?: number
	/**
	 * Creates the tables on first use (`CREATE TABLE IF NOT EXISTS`). Set it to false when the
	 * app's database role may not create tables, and run {@link migration}'s SQL as a migration.
	 * Default true.
	 */
	create?: boolean
}

/** A Postgres backend; `close()` stops listening (it does not end your `sql`). */
export interface PostgresBackend extends Backend {
	/** Stops listening and makes every later call fail; the `sql` you gave stays open. */
	close(): Promise<void>
}

/** Raised when Postgres cannot be reached or does not answer in time. */
export class PostgresUnavailableError extends Error {
	override name = 'PostgresUnavailableError'
}

const TABLE = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,53}$/
/** Ids are the channel's sequence numbers, written without leading zeros. */
const ID = /^(?:0|[1-9]\d{0,18})$/
const MAX_ID = 2n ** 63n - 1n
const PAGE = 1000
/** Rows stay this many events, or this much time, past the history, for live readers that lag behind. */
const SLACK_EVENTS = 1000
const SLACK_MS = 60_000
/** Every this many ids of a channel, the publisher of that id trims the channel's rows in the background. */
const TRIM_EVERY = 100
/** At most this many events (and about a megabyte) go in one publishing statement. */
const BATCH = 500

/** Error codes of postgres.js, Node and Postgres (SQLSTATE) that mean the server is out of reach, not that a query is wrong. */
const UNREACHABLE = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03'])

function unreachable(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code
	return typeof code === 'string' && (UNREACHABLE.has(code) || code.startsWith('08'))
}

const quote = (table: string) =>
	table
		.split('.')
		.map((part) => `"${part}"`)
		.join('.')

/**
 * A `text[]` literal, every element quoted, so "NULL" and "" stay strings. Passed as a string,
 * it does not depend on the array types postgres.js fetches on connect (absent with
 * `fetch_types: false`, and absent until they arrive on a fresh connection).
 */
const textArray = (values: readonly string[]) => `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`

/**
 * The SQL that creates the tables of a Postgres backend: what `postgres()` runs on first use,
 * or what the app runs as a migration when it passes `create: false`.
 *
 * - `<table>` holds the events: `(channel, id)` is the key, and `at` is when the event was stored.
 *   `data` is the text that went on the wire; `escaped` marks data that held U+0000 (which
 *   Postgres text cannot), stored as a JSON string instead.
 * - `<table>_channels` holds each channel's last id. Publishing takes the next one by updating
 *   that row, whose lock is held until the transaction commits: a channel's ids are then given in
 *   commit order with no gap, so a reader that has seen id 10 has seen 1 to 9 too (a `bigserial`
 *   would let two transactions commit out of order, and a reader would skip the slower one for
 *   good). Being kept apart from the events, the counter never goes back when old events are
 *   deleted, so an id is never given twice.
 *
 * @example
 * // a migration of your own, e.g. with node-pg-migrate or drizzle's custom SQL
 * await sql.unsafe(migration('app.sse_events'))
 * @throws {TypeError} when `table` is not a valid table name.
 */
export function migration(table = 'sse_events'): string {
	checkTable(table)
	const events = quote(table)
	const counters = quote(`${table}_channels`)
	return [
		`CREATE TABLE IF NOT EXISTS ${events} (channel text NOT NULL, id bigint NOT NULL, event text NOT NULL, data text NOT NULL, escaped boolean NOT NULL DEFAULT false, at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (channel, id));`,
		`CREATE TABLE IF NOT EXISTS ${counters} (channel text PRIMARY KEY, last bigint NOT NULL);`
	].join('\n')
}

function checkTable(table: string): void {
	if (typeof table !== 'string' || !TABLE.test(table)) throw new TypeError(`table must be a lowercase table name (letters, digits, _; up to 54 characters), optionally schema-qualified, got ${JSON.stringify(table)}.`)
}

/** Compares two ids by number; what is not an id orders first. */
function compare(a: string, b: string): number {
	const valid = (id: string) => (ID.test(id) ? id : '')
	const [x, y] = [valid(a), valid(b)]
	if (x === '' || y === '') return (x === '' ? 0 : 1) - (y === '' ? 0 : 1)
	return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0)
}

interface Row {
	id: string
	event: string
	data: string
	escaped: boolean
}

const toEvent = (row: Row): StoredEvent => ({ id: row.id, event: row.event, data: row.escaped ? (JSON.parse(row.data) as string) : row.data })

/** A publish waiting to be sent. */
interface Waiting {
	event: string
	data: string
	resolve(id: string): void
	reject(error: unknown): void
}

/** A channel this process listens to. */
interface Reader {
	/** The last id given to the listeners; undefined until it is read, after LISTEN is active. */
	cursor: bigint | undefined
	listeners: Set<LiveListener>
	/** Resolves once the cursor is read. */
	ready: Promise<void>
	/** A notification came before the cursor was read, or while a fetch was on its way. */
	dirty: boolean
	pulling: boolean
	failing: boolean
	/** Ends the wait before a failed fetch is tried again. */
	wake?: () => void
}

/**
 * A backend on a Postgres table, through the app's postgres.js `sql`. `publish` is one statement
 * (so one transaction): it takes the channel's next id from its counter row, inserts the event and
 * NOTIFYs its channel and id; the publishes a process makes to a channel while one is on its way
 * go together in the next statement. `publish` rejects with a {@link PostgresUnavailableError}
 * when Postgres does not answer within `timeout` (twice that when it waited for a statement
 * before it); a publish cut off as it commits may still be stored. Each process LISTENs on one connection (postgres.js's `sql.listen`,
 * which reconnects and listens again by itself); on a notification it reads the rows after what it
 * has delivered, and after every reconnection it reads all it missed, so nothing committed is
 * lost. Ids are the channel's numbers `"1"`, `"2"`…, in commit order with no gap.
 *
 * History is bounded by count (and age) when read; rows themselves are deleted a little later in
 * the background, by the publisher of every hundredth id of a channel, with a statement that
 * locks only old rows, so it never blocks a publisher, and a live reader that lags behind still
 * finds its rows. The tables are made on first use (see {@link migration}). Behind a pooler such
 * as PgBouncer in transaction mode, give it a `sql` that connects to Postgres directly: LISTEN
 * needs a session of its own.
 *
 * @example
 * // src/lib/server/backend.ts
 * import postgresJs from 'postgres'
 * import { postgres } from 'svelte-sse/postgres'
 * export const sql = postgresJs(process.env.DATABASE_URL, { fetch_types: false })
 * export const backend = postgres({ sql, history: 500 })
 * // +server.ts: channel('room', { backend }).produce(request)
 * @throws {TypeError} when `sql` is missing or `table` is not a valid table name.
 * @throws {RangeError} when `history`, `maxAge` or `timeout` is out of range.
 */
export function postgres(options: PostgresOptions): PostgresBackend {
	const { sql, table = 'sse_events', history = 1000, maxAge = Infinity, timeout = 5000, create = true } = options ?? ({} as PostgresOptions)
	if (!sql || typeof sql.unsafe !== 'function' || typeof sql.listen !== 'function') throw new TypeError('postgres() needs `sql`, a postgres.js instance: postgres({ sql: postgresJs(url) }).')
	checkTable(table)
	if (!Number.isSafeInteger(history) || history < 1) throw new RangeError(`history must be a whole number of events, 1 or more, got ${String(history)}.`)
	if (!(typeof maxAge === 'number' && maxAge > 0)) throw new RangeError(`maxAge must be a positive number of milliseconds, got ${String(maxAge)}.`)
	if (!(typeof timeout === 'number' && timeout > 0 && timeout < 2 ** 31)) throw new RangeError(`timeout must be a positive number of milliseconds, got ${String(timeout)}.`)

	const events = quote(table)
	const counters = quote(`${table}_channels`)
	const aged = maxAge !== Infinity
	// the age bound as SQL, on the statement's parameter number `parameter`
	const fresh = (alias: string, parameter: number) => (aged ? ` AND ${alias}at > clock_timestamp() - $${parameter}::float8 * interval '1 millisecond'` : '')
	const statements = {
		// a batch of $2 events: the counter row goes up by $2 (and stays locked until commit), the
		// events take the numbers up to its new value; the result is the last one
		publish:
			`WITH numbered AS (INSERT INTO ${counters} AS c (channel, last) VALUES ($1, $2::int) ON CONFLICT (channel) DO UPDATE SET last = c.last + $2::int RETURNING last), ` +
			`stored AS (INSERT INTO ${events} (channel, id, event, data, escaped) SELECT $1, numbered.last - $2::int + b.ord, b.event, b.data, b.escaped::boolean ` +
			`FROM numbered, unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS b(event, data, escaped, ord)) ` +
			`SELECT last::text AS id, pg_notify($6, last::text || ':' || $1) FROM numbered`,
		cursor: `SELECT last::text AS last FROM ${counters} WHERE channel = $1`,
		// `ORDER BY e.id`, qualified: a bare `id` would be the output column, the id as text
		pull: `SELECT e.id::text AS id, e.event, e.data, e.escaped FROM ${events} e WHERE e.channel = $1 AND e.id > $2::bigint ORDER BY e.id LIMIT ${PAGE}`,
		history:
			`SELECT c.last::text AS last, e.id::text AS id, e.event, e.data, e.escaped FROM ${counters} c ` +
			`LEFT JOIN ${events} e ON e.channel = c.channel AND e.id > $2::bigint${fresh('e.', 3)} WHERE c.channel = $1 ORDER BY e.id`,
		latest: `SELECT e.id::text AS id, e.event, e.data, e.escaped FROM ${events} e WHERE e.channel = $1${fresh('e.', 2)} ORDER BY e.id DESC LIMIT 1`,
		// an event of one name may be older than the history while its rows wait to be deleted
		latestOf:
			`SELECT e.id::text AS id, e.event, e.data, e.escaped FROM ${events} e WHERE e.channel = $1 AND e.event = $2 ` +
			`AND e.id > (SELECT last - ${history} FROM ${counters} WHERE channel = $1)${fresh('e.', 3)} ORDER BY e.id DESC LIMIT 1`,
		trim: `DELETE FROM ${events} WHERE channel = $1 AND (id <= $2::bigint${aged ? ` OR at < clock_timestamp() - $3::float8 * interval '1 millisecond'` : ''})`
	}
	const ageParameter = aged ? [maxAge] : []

	const readers = new Map<string, Reader>()
	/** The publishes waiting for the statement in flight of their channel. */
	const batches = new Map<string, Waiting[]>()
	let closed = false
	let created: Promise<void> | undefined
	let requested: Promise<void> | undefined
	let handle: { unlisten(): PromiseLike<unknown> } | undefined
	let active = false
	let activate!: () => void
	const activated = new Promise<void>((resolve) => (activate = resolve))

	/** Waits for `promise`, failing after the timeout; `cancel` is called then. */
	async function within<T>(promise: PromiseLike<T>, what: string, cancel?: () => void): Promise<T> {
		let timer: ReturnType<typeof setTimeout> | undefined
		try {
			return await Promise.race([
				promise,
				new Promise<never>((_, reject) => {
					timer = setTimeout(() => {
						cancel?.()
						reject(new PostgresUnavailableError(`Postgres did not answer ${what} within ${timeout} ms.`))
					}, timeout)
				})
			])
		} catch (error) {
			if (error instanceof PostgresUnavailableError || !unreachable(error)) throw error
			throw new PostgresUnavailableError(`Postgres is unreachable (${what}): ${error instanceof Error ? error.message : String(error)}`, { cause: error })
		} finally {
			clearTimeout(timer)
		}
	}

	/** Runs a statement, failing instead of waiting while Postgres is unreachable or slow. */
	async function query<T>(what: keyof typeof statements, parameters: Array<string | number>): Promise<T[]> {
		if (closed) throw new PostgresUnavailableError('The Postgres backend is closed.')
		await tables()
		const pending = sql.unsafe(statements[what], parameters, { prepare: true })
		// a query still waiting for a connection is dropped, so a publish that failed is not stored later
		const rows = await within(pending, what, () => void Promise.resolve(pending.cancel()).catch(() => {}))
		return rows as T[]
	}

	/** Creates the tables once, under a lock, since two processes' CREATE TABLE IF NOT EXISTS can collide. */
	function tables(): Promise<void> {
		if (!create) return Promise.resolve()
		created ??= (async () => {
			// several statements in one simple query run as one transaction; the NOTICE for tables that exist is muted
			const ddl = `SET LOCAL client_min_messages = warning; SELECT pg_advisory_xact_lock(hashtext('svelte-sse:' || '${table}'));\n${migration(table)}`
			await within(sql.unsafe(ddl), 'CREATE TABLE')
		})()
		created.catch(() => (created = undefined))
		return created
	}

	const report = (reader: Reader, error: unknown) => {
		const failure = error instanceof Error ? error : new Error(String(error))
		for (const listener of [...reader.listeners]) listener.error?.(failure)
	}

	/** Delivers a reader's rows after its cursor, page by page, until none is left; one fetch at a time per channel. */
	async function pull(name: string, reader: Reader): Promise<void> {
		if (reader.pulling) {
			reader.dirty = true
			return
		}
		reader.pulling = true
		let delay = 50
		try {
			do {
				reader.dirty = false
				for (;;) {
					if (closed || readers.get(name) !== reader || reader.cursor === undefined) return
					let rows: Row[]
					try {
						rows = await query<Row>('pull', [name, String(reader.cursor)])
					} catch (error) {
						if (closed || readers.get(name) !== reader) return
						if (!reader.failing) report(reader, error)
						reader.failing = true
						// tried again after a while, and at once when LISTEN is back (postgres.js reconnects it)
						await new Promise<void>((resolve) => {
							const timer = setTimeout(resolve, delay)
							reader.wake = () => {
								clearTimeout(timer)
								resolve()
							}
						})
						reader.wake = undefined
						delay = Math.min(delay * 2, 2000)
						reader.dirty = true
						break
					}
					reader.failing = false
					for (const row of rows) {
						const id = BigInt(row.id)
						if (readers.get(name) !== reader) return
						if (id <= reader.cursor) continue
						reader.cursor = id
						const event = toEvent(row)
						for (const listener of [...reader.listeners]) {
							try {
								listener.event(event)
							} catch (error) {
								// one listener's failure does not stop the others, nor the reads
								listener.error?.(error instanceof Error ? error : new Error(String(error)))
							}
						}
					}
					if (rows.length < PAGE) break
				}
			} while (reader.dirty)
		} finally {
			reader.pulling = false
		}
	}

	function onnotify(payload: string): void {
		if (closed) return
		const colon = payload.indexOf(':')
		const id = payload.slice(0, colon)
		const reader = readers.get(payload.slice(colon + 1))
		if (!reader || !ID.test(id)) return
		if (reader.cursor === undefined) reader.dirty = true
		else if (BigInt(id) > reader.cursor) void pull(payload.slice(colon + 1), reader)
	}

	/** Called by postgres.js each time LISTEN is active, first and after every reconnection: reads what was missed meanwhile. */
	function onlisten(): void {
		if (closed) return
		active = true
		activate()
		for (const [name, reader] of readers) {
			if (reader.cursor === undefined) reader.dirty = true
			else if (reader.wake) reader.wake()
			else void pull(name, reader)
		}
	}

	/**
	 * Stores a batch of one channel's events in one statement, then the events published meanwhile.
	 * A process publishes to a channel one statement at a time: concurrent publishes would only
	 * queue on the counter row's lock, one commit after another, while a batch takes one commit.
	 */
	async function send(channel: string, batch: Waiting[]): Promise<void> {
		try {
			const escaped = batch.map(({ data }) => data.includes('\0'))
			const [row] = await query<{ id: string }>('publish', [
				channel,
				batch.length,
				textArray(batch.map(({ event }) => event)),
				textArray(batch.map(({ data }, index) => (escaped[index] ? JSON.stringify(data) : data))),
				textArray(escaped.map((flag) => (flag ? 't' : 'f'))),
				table
			])
			const last = Number(row!.id)
			const first = last - batch.length + 1
			batch.forEach(({ resolve }, index) => resolve(String(first + index)))
			if (Math.floor(last / TRIM_EVERY) > Math.floor((first - 1) / TRIM_EVERY) && last > history + SLACK_EVENTS) {
				// in the background: the DELETE locks only rows no publisher touches
				query('trim', [channel, String(last - history - SLACK_EVENTS), ...(aged ? [maxAge + SLACK_MS] : [])]).catch(() => {})
			}
		} catch (error) {
			for (const { reject } of batch) reject(error)
		}
		const queue = batches.get(channel)!
		if (queue.length === 0) batches.delete(channel)
		else {
			// up to BATCH events, and about a megabyte of data (always one at least)
			let count = 0
			for (let bytes = 0; count < queue.length && count < BATCH && (count === 0 || bytes < 1_000_000); count++) bytes += queue[count]!.data.length
			void send(channel, queue.splice(0, count))
		}
	}

	/** Resolves once LISTEN is active. postgres.js keeps trying after a failure, so LISTEN is asked for once. */
	async function listening(): Promise<void> {
		if (active) return
		requested ??= Promise.resolve(sql.listen(table, onnotify, onlisten)).then(
			(listener) => {
				handle = listener
				if (closed) void Promise.resolve(listener.unlisten()).catch(() => {})
			},
			() => {}
		)
		await within(activated, 'LISTEN')
	}

	return {
		publish(channel, event, data) {
			return new Promise<string>((resolve, reject) => {
				const waiting = { event, data, resolve, reject }
				const queue = batches.get(channel)
				if (queue) queue.push(waiting)
				else {
					batches.set(channel, [])
					void send(channel, [waiting])
				}
			})
		},

		async subscribe(channel, listener) {
			for (;;) {
				if (closed) throw new PostgresUnavailableError('The Postgres backend is closed.')
				let reader = readers.get(channel)
				if (!reader) {
					const created: Reader = { cursor: undefined, listeners: new Set(), ready: Promise.resolve(), dirty: false, pulling: false, failing: false }
					reader = created
					readers.set(channel, created)
					created.ready = (async () => {
						await tables()
						await listening()
						// LISTEN is active: whatever commits after this read is notified, or read at the next reconnection
						const [row] = await query<{ last: string }>('cursor', [channel])
						created.cursor = row ? BigInt(row.last) : 0n
						if (created.dirty) void pull(channel, created)
					})()
					created.ready.catch(() => {
						if (readers.get(channel) === created) readers.delete(channel)
					})
				}
				await reader.ready
				// the reader may have been let go meanwhile, by its last listener leaving
				if (readers.get(channel) !== reader) continue
				const { listeners } = reader
				listeners.add(listener)
				return () => {
					listeners.delete(listener)
					if (listeners.size === 0 && readers.get(channel)?.listeners === listeners) readers.delete(channel)
				}
			}
		},

		async history(channel, after) {
			if (!ID.test(after) || BigInt(after) > MAX_ID) return undefined
			const rows = await query<Row & { last: string }>('history', [channel, after, ...ageParameter])
			if (rows.length === 0) return undefined
			const from = BigInt(after)
			const last = BigInt(rows[0]!.last)
			const found = rows.filter((row) => row.id !== null)
			// `after` must be one of the last `history` ids, and the rows after it all there
			if (from > last || from < last - BigInt(history)) return undefined
			if (from < last && (found.length === 0 || BigInt(found[0]!.id) !== from + 1n)) return undefined
			return found.map(toEvent)
		},

		async latest(channel, event) {
			const [row] = await (event === undefined ? query<Row>('latest', [channel, ...ageParameter]) : query<Row>('latestOf', [channel, event, ...ageParameter]))
			return row ? toEvent(row) : undefined
		},

		compare,

		async close() {
			if (closed) return
			closed = true
			for (const reader of readers.values()) reader.wake?.()
			readers.clear()
			activate()
			// a first LISTEN that failed leaves nothing to end: postgres.js listens again on its own, to callbacks that now do nothing
			await within(requested ?? Promise.resolve(), 'LISTEN').catch(() => {})
			if (handle) await Promise.resolve(handle.unlisten()).catch(() => {})
		}
	}
}

import postgresJs from 'postgres'
import { postgres } from '$lib/postgres/index.js'

const sql = postgresJs('postgres://app@db.internal:5432/app')

export const backend = postgres({
	sql, // required: your postgres.js instance; close() leaves it open
	table: 'realtime.sse_events', // the events table, schema-qualified or not; default 'sse_events'
	history: 5_000, // how many events each channel keeps for replay; default 1 000
	maxAge: 24 * 60 * 60_000, // and none older than a day; default: no age limit
	timeout: 2_000, // a query that takes longer fails, so publish never hangs; default 5 000 ms
	create: true // create the tables on first use; default true
})

// on shutdown: stops listening (your `sql` stays open: end it yourself)
export async function shutdown(): Promise<void> {
	await backend.close()
	await sql.end()
}

import postgresJs from 'postgres'
import { migration, postgres } from '$lib/postgres/index.js'

// in a migration, run with a role that may create tables: the same SQL the backend would run
export async function up(admin: postgresJs.Sql): Promise<void> {
	await admin.unsafe('CREATE SCHEMA IF NOT EXISTS realtime')
	await admin.unsafe(migration('realtime.sse_events'))
}

// the app, whose role may only read and write those tables
const sql = postgresJs('postgres://app@db.internal:5432/app')
export const backend = postgres({ sql, table: 'realtime.sse_events', create: false })

import postgresJs from 'postgres'
import { env } from '$env/dynamic/private'
import { postgres } from '$lib/postgres/index.js'
import { channel } from '$lib/server.js'

type RoomEvents = { message: { from: string; text: string } }

// a postgres.js instance for the backend's queries and its LISTEN; fetch_types: false because the
// backend needs no array types, and postgres.js 3.4 can end the process when Postgres drops a
// connection while it fetches them (see "When Postgres fails")
export const sql = postgresJs(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { fetch_types: false })

// one backend per process, made once; it creates its two tables on first use
export const backend = postgres({ sql })

export const room = channel<RoomEvents>('room', { backend })

import postgresJs from 'postgres'
import { env } from '$env/dynamic/private'
import { postgres } from '$lib/postgres/index.js'
import { channel } from '$lib/server.js'

type RoomEvents = { message: { from: string; text: string } }

// the app's own postgres.js instance: the backend runs its queries and its LISTEN on it
export const sql = postgresJs(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')

// one backend per process, made once; it creates its two tables on first use
export const backend = postgres({ sql })

export const room = channel<RoomEvents>('room', { backend })

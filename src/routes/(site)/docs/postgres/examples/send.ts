import { fail } from '@sveltejs/kit'
import { PostgresUnavailableError } from '$lib/postgres/index.js'
import type { Channel } from '$lib/server.js'
import type { Actions } from '@sveltejs/kit'
import type postgresJs from 'postgres'

/** From src/lib/server/channels.ts: the app's sql, and the room on the Postgres backend. */
declare const sql: postgresJs.Sql
declare const room: Channel<{ message: { from: string; text: string } }>

export const actions: Actions = {
	send: async ({ request }) => {
		const form = await request.formData()
		const from = String(form.get('from') ?? 'guest')
		const text = String(form.get('text') ?? '')
		// the app's own table first…
		await sql`INSERT INTO messages (author, body) VALUES (${from}, ${text})`
		try {
			// …then the event, in a statement of its own: it is not part of the insert's transaction
			return { id: await room.publish('message', { from, text }) }
		} catch (cause) {
			// Postgres went away, or did not answer within `timeout`
			if (cause instanceof PostgresUnavailableError) return fail(503, { problem: 'Saved, but not sent live: reload to see it.' })
			throw cause
		}
	}
}

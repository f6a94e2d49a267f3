import { produce } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

type Entry = { seq: number; text: string }
/** Your own log: entries after a sequence number, and a way to follow new ones. */
declare const log: {
	after(seq: number): Entry[]
	follow(onEntry: (entry: Entry) => void): () => void
}

export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit, lastEventId }) => {
			const send = (entry: Entry) => emit('entry', entry.text, { id: String(entry.seq) })
			// '' on a first visit; the id of the last event received after a reconnect
			for (const entry of log.after(Number(lastEventId) || 0)) send(entry)
			return log.follow(send)
		},
		// without `request`, lastEventId is always ''
		{ request }
	)

import { error } from '@sveltejs/kit'
import { produce } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

/** Your own search: results as they are found. */
declare function search(query: string, signal: AbortSignal): AsyncIterable<{ title: string }>

export const POST: RequestHandler = async ({ request }) => {
	// read (and check) the body first: a bad request gets a plain 400, not a stream
	const { query } = (await request.json()) as { query?: unknown }
	if (typeof query !== 'string' || query.length > 500) error(400, 'query must be a string')

	return produce(
		async ({ emit, lock, signal }) => {
			for await (const hit of search(query, signal)) if (emit('hit', hit).error) return
			lock.set(false)
		},
		{ request }
	)
}

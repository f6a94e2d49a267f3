import { produce } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

/** Your own export: a large table read row by row. */
declare function readRows(): AsyncIterable<Record<string, unknown>>

export const GET: RequestHandler = ({ request }) =>
	produce(
		async ({ emit, ready, lock }) => {
			for await (const row of readRows()) {
				if (emit('row', row).error) return
				// waits while the client is behind: memory stays bounded however slow it reads
				if ((await ready()).error) return
			}
			lock.set(false)
		},
		{ request }
	)

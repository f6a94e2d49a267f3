import { error, json } from '@sveltejs/kit'
import { produce } from '$lib/server.js'
import { kill, track } from './streams'
import type { RequestHandler } from './$types'

function clientOf(url: URL): string {
	const client = url.searchParams.get('client') ?? ''
	if (!/^[a-z0-9]{1,32}$/.test(client)) error(400, 'Pass ?client= with up to 32 letters and digits.')
	return client
}

/**
 * A counter with an id on every event. A client that reconnects sends the last id it saw
 * (Last-Event-ID) and the count goes on from the next one: nothing is lost.
 */
export const GET: RequestHandler = ({ request, url }) => {
	const client = clientOf(url)
	return produce(
		({ emit, lock, lastEventId }) => {
			let next = /^\d+$/.test(lastEventId) ? Number(lastEventId) + 1 : 1
			// one event per connection, so the page can count them
			emit('hello', { resumedAfter: lastEventId || null })
			const timer = setInterval(() => emit('count', next, { id: String(next++) }), 250)
			const forget = track(client, lock)
			return () => {
				clearInterval(timer)
				forget()
			}
		},
		// `request` carries Last-Event-ID; `retry` tells the client to come back within about a second
		{ request, retry: 1000 }
	)
}

/** "Kill stream": ends this client's streams from the server side with lock.set(false). */
export const POST: RequestHandler = ({ url }) => json({ killed: kill(clientOf(url)) })

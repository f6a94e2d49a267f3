import { error, json } from '@sveltejs/kit'
import { RedisUnavailableError } from '$lib/redis/index.js'
import type { Channel } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

/** The room of src/lib/server/channels.ts. */
declare const room: Channel<{ message: { from: string; text: string } }>

export const GET: RequestHandler = ({ request }) => room.produce(request)

export const POST: RequestHandler = async ({ request }) => {
	const { from, text } = (await request.json()) as { from: string; text: string }
	try {
		return json({ id: await room.publish('message', { from, text }) }, { status: 201 })
	} catch (cause) {
		// Redis is down or did not answer within `timeout`: the message was not stored
		if (cause instanceof RedisUnavailableError) error(503, 'Try again in a moment.')
		throw cause
	}
}

import { json } from '@sveltejs/kit'
import { channel } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

type RoomEvents = { message: { from: string; text: string } }

const room = channel<RoomEvents>('room')

/** Every client's stream: what it missed (by its Last-Event-ID), then what is published from now on. */
export const GET: RequestHandler = ({ request }) => room.produce(request)

/** A message, fanned out to every stream of the room. */
export const POST: RequestHandler = async ({ request }) => {
	const { from, text } = (await request.json()) as { from: string; text: string }
	const id = await room.publish('message', { from, text })
	return json({ id }, { status: 201 })
}

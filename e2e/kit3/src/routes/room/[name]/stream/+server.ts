// A channel per room: GET streams it (replaying what a reconnecting client missed, by its
// Last-Event-ID), POST publishes a message to every stream.
import { json } from '@sveltejs/kit'
import { channel } from 'svelte-sse/server'
import type { RoomEvents } from '#lib/room.ts'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ params, request }) => channel<RoomEvents>(params.name).produce(request)

export const POST: RequestHandler = async ({ params, request }) => {
	const { text } = (await request.json()) as RoomEvents['message']
	return json({ id: await channel<RoomEvents>(params.name).publish('message', { text }) })
}

// Kit's own live primitive fed by a channel: the room's latest message as a `query.live`.
// `channel.events()` is the channel as an async iterable, subscribed from the call.
import { getRequestEvent, query } from '$app/server'
import { channel } from 'svelte-sse/server'
import { text, type RoomEvents } from '#lib/room.ts'

export const latestMessage = query.live('unchecked', async function* (name: string) {
	const room = channel<RoomEvents>(name)
	// the request's signal ends the iteration when the client leaves (kit cannot interrupt a pending next())
	const { signal } = getRequestEvent().request
	// a live query starts again from scratch on every reconnect: its first value is the state now
	const latest = await room.latest('message')
	yield latest ? text(latest.data) : null
	for await (const event of room.events({ after: latest?.id, signal })) {
		if (event.event === 'message') yield text(event.data)
	}
})

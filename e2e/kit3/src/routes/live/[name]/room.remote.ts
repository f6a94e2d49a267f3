// Kit's own live primitive fed by a channel: the room's latest message as a `query.live`.
// `events` (src/lib/channel-events.ts) is the async iterable of a channel's events.
import { getRequestEvent, query } from '$app/server'
import { channel } from 'svelte-sse/server'
import { events } from '#lib/channel-events.ts'
import { text, type RoomEvents } from '#lib/room.ts'

export const latestMessage = query.live('unchecked', async function* (name: string) {
	const room = channel<RoomEvents>(name)
	// the request's signal ends the iteration when the client leaves (kit cannot interrupt a pending next())
	const { signal } = getRequestEvent().request
	// a live query starts again from scratch on every reconnect: its first value is the state now
	const latest = await room.latest('message')
	yield latest ? text(latest.data) : null
	for await (const event of events(room, { after: latest?.id, signal })) {
		if (event.event === 'message') yield text(event.data)
	}
})

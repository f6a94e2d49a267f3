// Server-only: imported by +server.ts alone. The room is a channel on the default backend,
// memory(): one room per server process. With `{ backend: redis() }` it would be one room for
// every instance, and nothing else here would change.
import { channel, type ChannelProduceOptions } from '$lib/server.js'
import type { ChatEvents } from './types'

/** The room: `channel()` gives the same channel for the same name, in every request. */
export const room = channel<ChatEvents>('demos/chat')

/** How many streams of the room are open on this server. */
let here = 0

/**
 * Options for one stream of the room that count it in while it lasts. Presence is published
 * like a message, so every stream, this one included, hears who came and went.
 */
export function counted(): ChannelProduceOptions<ChatEvents> {
	let state: 'joining' | 'here' | 'gone' = 'joining'
	return {
		// runs before the stream goes live; what is published meanwhile waits for it, so it
		// receives its own arrival too
		initial: async () => {
			if (state !== 'joining') return // the client left before its stream was live
			state = 'here'
			await room.publish('presence', ++here)
		},
		// runs once when the stream ends, whatever ended it
		stop: () => {
			if (state === 'here') room.publish('presence', --here).catch(console.error)
			state = 'gone'
		}
	}
}

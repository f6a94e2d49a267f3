// Server-only: imported by +server.ts alone. The room lives in this process's memory, so it
// is one room per server process; several instances would need a shared backend.
import type { Emit } from '$lib/server.js'
import type { ChatMessage } from './types'

/** The `emit` of every connected client. */
const members = new Set<Emit>()
let lastId = 0

/** Adds a client to the room; returns what removes it. */
export function join(emit: Emit): () => void {
	members.add(emit)
	broadcast('presence', members.size)
	return () => {
		members.delete(emit)
		broadcast('presence', members.size)
	}
}

/** Sends a message to everyone in the room, the sender included. */
export function say(name: string, text: string): ChatMessage {
	const message: ChatMessage = { id: ++lastId, name, text, at: new Date().toISOString() }
	broadcast('message', message)
	return message
}

function broadcast(event: string, data: unknown): void {
	for (const emit of members) {
		// emit never throws; an error means that stream has ended, and its cleanup removes it
		emit(event, data)
	}
}

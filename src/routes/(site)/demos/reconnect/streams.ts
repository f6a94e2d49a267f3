// Server-only: imported by +server.ts alone. Lets the "Kill stream" button end a page's streams.
import type { Lock } from '$lib/server.js'

/** The locks of the open streams, by the client key each page made up. */
const streams = new Map<string, Set<Lock>>()

/** Remembers a stream's lock until the stream ends; returns what forgets it. */
export function track(client: string, lock: Lock): () => void {
	let locks = streams.get(client)
	if (!locks) streams.set(client, (locks = new Set()))
	locks.add(lock)
	return () => {
		locks.delete(lock)
		if (locks.size === 0) streams.delete(client)
	}
}

/** Ends every open stream of `client` from the server side; returns how many there were. */
export function kill(client: string): number {
	const locks = [...(streams.get(client) ?? [])]
	for (const lock of locks) lock.set(false)
	return locks.length
}

import { channel } from 'svelte-sse/server'
import type { RoomEvents } from '#lib/room.ts'
import type { PageServerLoad } from './$types'

// The page renders the latest message, and its Source resumes from that message's id.
export const load: PageServerLoad = async ({ params }) => {
	const latest = await channel<RoomEvents>(params.name).latest('message')
	return { latest: latest && { id: latest.id, data: latest.data } }
}

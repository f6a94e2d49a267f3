// For e2e/share-getter.spec.ts: a stream per room that emits the room's name with a counter
// every 100 ms, counting its open streams (reported by /rooms/open).
import { produce } from 'svelte-sse/server'
import { streams } from '../streams.js'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ params, request }) =>
	produce(
		({ emit }) => {
			const room = params.room
			streams.set(room, (streams.get(room) ?? 0) + 1)
			let n = 0
			const timer = setInterval(() => emit('tick', `${room} ${++n}`), 100)
			return () => {
				clearInterval(timer)
				streams.set(room, streams.get(room)! - 1)
			}
		},
		{ request }
	)

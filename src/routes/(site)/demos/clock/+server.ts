import { produce } from '$lib/server.js'
import type { RequestHandler } from './$types'

/** The server's time, once a second, as an ISO string. */
export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit }) => {
			const tick = () => emit('tick', new Date().toISOString())
			tick()
			const timer = setInterval(tick, 1000)
			// runs when the client leaves (or the stream ends for any other reason)
			return () => clearInterval(timer)
		},
		// `request` lets produce notice a disconnect at once
		{ request }
	)

import { produce } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit }) => {
			const timer = setInterval(() => {
				emit('time', new Date().toLocaleTimeString('en-GB'))
			}, 1000)
			// the cleanup: runs once the stream ends, for instance when the client leaves
			return () => clearInterval(timer)
		},
		{ request }
	)

import { produce } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit }) => {
			const timer = setInterval(() => {
				const { error } = emit('tick', { time: Date.now() })
				if (error) clearInterval(timer)
			}, 1000)
			return () => clearInterval(timer) // runs once when the stream ends, whatever ended it
		},
		{ request } // lets a client disconnect end the stream at once, and passes Last-Event-ID
	)

// svelte-sse
import { produce } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit }) => {
			const timer = setInterval(() => {
				const { error } = emit('tick', { now: Date.now() }) // objects are sent as JSON
				if (error) clearInterval(timer)
			}, 1000)
			return () => clearInterval(timer)
		},
		{ request } // disconnects noticed at once, Last-Event-ID available
	)

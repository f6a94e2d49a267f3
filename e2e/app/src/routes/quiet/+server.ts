// For e2e/share-followers.spec.ts: ten ticks, 100 ms apart, then silence (the stream stays open).
import { produce } from 'svelte-sse/server'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit }) => {
			let n = 0
			const timer = setInterval(() => {
				emit('tick', `tick ${++n}`)
				if (n === 10) clearInterval(timer)
			}, 100)
			return () => clearInterval(timer)
		},
		{ request }
	)

// Exists for e2e tests (e2e/server.spec.ts): a silent stream with a 50 ms keep-alive that ends
// itself after 400 ms, to check the default headers and that pings are comments, not events.
import { produce } from 'svelte-sse/server'
import { recordStop, track } from '$lib/registry.js'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ params, request }) => {
	const run = track(params.id, 'ping')
	const response = produce(
		({ lock }) => {
			const end = setTimeout(() => lock.set(false), 400)
			return () => clearTimeout(end)
		},
		{ request, ping: 50, stop: recordStop(run) }
	)
	run.produced = Object.fromEntries(response.headers)
	return response
}

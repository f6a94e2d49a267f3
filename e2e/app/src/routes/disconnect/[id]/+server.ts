// Exists for e2e tests (e2e/server.spec.ts): measures how soon `stop` runs after the client
// disconnects. The ping is an hour away, so only disconnect detection can end the stream.
// `?request=none` leaves out `options.request`, as sveltekit-sse's examples do: then only the
// body's cancel can notice the client leaving.
import { produce } from 'svelte-sse/server'
import { recordStop, track } from '$lib/registry.js'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ params, request, url }) => {
	const run = track(params.id, 'disconnect')
	return produce(
		({ emit, lock }) => {
			run.emitted.hello = Date.now()
			emit('hello', 'connected')
			// if the test dies without disconnecting, do not keep the stream forever
			const safety = setTimeout(() => lock.set(false), 30_000)
			return () => clearTimeout(safety)
		},
		{ request: url.searchParams.get('request') === 'none' ? undefined : request, ping: 3_600_000, stop: recordStop(run) }
	)
}

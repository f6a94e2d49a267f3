// Exists for e2e tests (e2e/last-event-id.spec.ts): does an id beyond Latin-1 survive the round
// trip through a reconnect? The first request for `id` gets one event with that id, and the
// stream ends; every later request reports the `lastEventId` produce() read, and the header as
// Fetch handed it over (one Latin-1 character per byte), then stays open until the test leaves.
import { produce } from 'svelte-sse/server'
import { lookup, track } from '$lib/registry.js'
import type { RequestHandler } from './$types'

const ID = '名-é-😀'

export const GET: RequestHandler = ({ params, request }) => {
	const first = lookup(params.id) === undefined
	if (first) track(params.id, 'last-event-id')
	return produce(
		({ emit, lock, lastEventId }) => {
			if (first) {
				emit('first', 'hello', { id: ID })
				lock.set(false)
				return
			}
			emit('resumed', { lastEventId, header: request.headers.get('last-event-id') })
			// if the test dies without leaving, do not keep the stream forever
			const safety = setTimeout(() => lock.set(false), 30_000)
			return () => clearTimeout(safety)
		},
		// reconnect at once: the test waits for it
		{ request, retry: 50 }
	)
}

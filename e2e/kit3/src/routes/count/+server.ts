// Counts 1, 2, 3… with each number as its event id, and ends the stream every `per` events, so the
// client has to reconnect: it resumes from the number after its Last-Event-ID. `hello` echoes a
// header the client's options getter sets; `resumed` echoes the Last-Event-ID this request had.
import { produce } from 'svelte-sse/server'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ request, url }) => {
	const per = Number(url.searchParams.get('per') ?? 3)
	return produce<{ hello: string; resumed: string; n: string }>(
		({ emit, lock, lastEventId }) => {
			emit('hello', request.headers.get('x-fixture') ?? 'none')
			if (lastEventId) emit('resumed', lastEventId)
			let n = Number(lastEventId || 0)
			let sent = 0
			const timer = setInterval(() => {
				n++
				emit('n', String(n), { id: String(n) })
				if (++sent === per) lock.set(false)
			}, 40)
			return () => clearInterval(timer)
		},
		// reconnect soon: the test waits for it
		{ request, retry: 50 }
	)
}

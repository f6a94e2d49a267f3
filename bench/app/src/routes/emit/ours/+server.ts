// Figure 1 through SvelteKit: `?n=` events from produce(), paced the way its docs say (stop on
// emit().error, await ready() every 100 events), then lock.set(false) ends the stream.
import { produce } from 'svelte-sse/server'
import { count, payload } from '$lib/sse'

const READY_EVERY = 100

export function GET({ url }: { url: URL }): Response {
	const n = count(url)
	return produce(
		async ({ emit, lock, ready }) => {
			for (let i = 0; i < n; i++) {
				if (emit('tick', payload(i)).error) return
				if (i % READY_EVERY === READY_EVERY - 1 && (await ready()).error) return
			}
			lock.set(false)
		},
		{ ping: false }
	)
}

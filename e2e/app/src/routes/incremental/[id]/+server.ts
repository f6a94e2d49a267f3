// Exists for e2e tests (e2e/server.spec.ts): proves events are flushed one by one, not buffered.
// GET emits `first`, then holds `second` back until POST to the same URL releases it (or 5 s
// pass, so that a buffering server fails the test instead of hanging it), then ends the stream.
import { error } from '@sveltejs/kit'
import { produce } from 'svelte-sse/server'
import { recordStop, track } from '$lib/registry.js'
import type { RequestHandler } from './$types'

const releases = new Map<string, () => void>()

export const GET: RequestHandler = ({ params, request }) => {
	const { id } = params
	const run = track(id, 'incremental')
	return produce(
		({ emit, lock }) => {
			const send = (event: string) => {
				const at = Date.now()
				run.emitted[event] = at
				emit(event, { at })
			}
			send('first')
			const release = () => {
				clearTimeout(fallback)
				releases.delete(id)
				send('second')
				lock.set(false)
			}
			const fallback = setTimeout(release, 5000)
			releases.set(id, release)
			return () => {
				clearTimeout(fallback)
				releases.delete(id)
			}
		},
		{ request, ping: false, stop: recordStop(run) }
	)
}

export const POST: RequestHandler = ({ params }) => {
	const release = releases.get(params.id)
	if (release === undefined) error(404, `No e2e stream ${params.id} is waiting`)
	release()
	return new Response(null, { status: 204 })
}

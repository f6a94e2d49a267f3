import { env } from '$env/dynamic/private'
import type { Handle } from '@sveltejs/kit'

/**
 * The endpoints under /e2e/ exist for e2e/server.spec.ts (one of them floods a stream with
 * 100 000 events); they answer only when the test servers set SVELTE_SSE_E2E=1.
 */
export const handle: Handle = ({ event, resolve }) => {
	if (event.url.pathname.startsWith('/e2e/') && env.SVELTE_SSE_E2E !== '1') {
		return new Response('Not found', { status: 404 })
	}
	return resolve(event)
}

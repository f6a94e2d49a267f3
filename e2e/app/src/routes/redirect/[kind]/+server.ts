// For e2e/redirect.spec.ts: /redirect/here redirects within the origin, /redirect/away to the
// same server under another origin (localhost instead of 127.0.0.1), /redirect/stream is the
// stream both lead to and records who reached it; /redirect/seen reports that.
import { json } from '@sveltejs/kit'
import { produce } from 'svelte-sse/server'
import type { RequestHandler } from './$types'

const seen: Array<{ host: string | null; apiKey: string | null }> = []

export const GET: RequestHandler = ({ params, request, url }) => {
	switch (params.kind) {
		case 'here':
			return new Response(null, { status: 307, headers: { location: '/redirect/stream' } })
		case 'away':
			return new Response(null, { status: 302, headers: { location: `http://localhost:${url.port}/redirect/stream` } })
		case 'stream': {
			const visit = { host: request.headers.get('host'), apiKey: request.headers.get('x-api-key') }
			seen.push(visit)
			return produce(({ emit }) => void emit('visit', visit), { request })
		}
		case 'seen':
			return json(seen)
		default:
			return new Response('no such redirect', { status: 404 })
	}
}

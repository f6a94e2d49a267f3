import { produce, type Start } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

declare const start: Start
declare function report(error: unknown): void

export const GET: RequestHandler = ({ request }) =>
	produce(start, {
		request, // its signal ends the stream; its Last-Event-ID header becomes lastEventId
		ping: 20_000, // a `: ping` comment every 20 s; false turns it off
		retry: 2_000, // clients wait about 2 s before reconnecting
		headers: { 'access-control-allow-origin': 'https://example.com' }, // merged over the defaults
		maxQueuedBytes: 256 * 1024, // end the stream of a client that stops reading
		stop: (reason) => console.log(`stream ended: ${reason}`), // after the cleanup, whatever ended it
		onerror: (error) => report(error) // errors thrown by start, the cleanup, stop, lock subscribers
	})

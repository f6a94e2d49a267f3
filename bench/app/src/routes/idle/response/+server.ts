// Figure 4, the SvelteKit floor: what any +server.ts that streams pays, with no library. A bare
// ReadableStream (high-water mark 0) in a Response with the same headers, first bytes and
// 15 s keep-alive timer as svelte-sse's defaults.
import { HEADERS, OPENER, PING } from '$lib/sse'

export function GET(): Response {
	let timer: ReturnType<typeof setInterval> | undefined
	const body = new ReadableStream<Uint8Array>(
		{
			start(controller) {
				controller.enqueue(OPENER)
				timer = setInterval(() => controller.enqueue(OPENER), PING)
			},
			cancel() {
				clearInterval(timer)
			}
		},
		{ highWaterMark: 0 }
	)
	return new Response(body, { headers: HEADERS })
}

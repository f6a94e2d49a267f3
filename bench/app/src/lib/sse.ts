/** What every idle handler of figure 4 shares: the headers, the first bytes and the keep-alive interval. */
export const HEADERS = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-cache, no-transform',
	'x-accel-buffering': 'no'
}
export const OPENER = new TextEncoder().encode(':\n\n')
export const PING = 15_000

/** `?n=` of a request, the number of events to send. */
export function count(url: URL): number {
	return Number(url.searchParams.get('n') ?? 1000)
}

const FILL = '.'.repeat(80)

/** The data of event `i`, 80 characters: the same as bench/lib/events.js `payload`. */
export function payload(i: number): string {
	const number = String(i)
	return number + FILL.slice(number.length)
}

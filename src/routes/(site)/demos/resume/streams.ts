// Server-only: imported by +server.ts alone. A counter published to a channel while anyone
// watches, and a way to end every open stream of it at once, as an instance that goes away would.
import { channel } from '$lib/server.js'

/** `hello` is never published: each stream sends it itself, first, so the page can count connections. */
type CounterEvents = { count: number; hello: { resumedAfter: string | null } }

/** On the default backend, memory(): it keeps the last 1 000 events for clients that come back. */
const counter = channel<CounterEvents>('demos/resume')

const EVERY = 300
/** How long the counter goes on with no stream open: long enough for every client to come back. */
const LINGER = 10_000

interface Counter {
	count: number
	timer?: ReturnType<typeof setInterval>
	idle?: ReturnType<typeof setTimeout>
	/** What ends each open stream. */
	open: Set<AbortController>
}

// on globalThis, as the default backend is: a dev server that reloads this module keeps one counter
const key = Symbol.for('svelte-sse.demos.resume')
const state: Counter = ((globalThis as { [key]?: Counter })[key] ??= { count: 0, open: new Set() })

/** One stream of the counter: the events after the client's Last-Event-ID, then live ones. */
export function watch(request: Request): Response {
	clearTimeout(state.idle)
	state.timer ??= setInterval(() => counter.publish('count', ++state.count).catch(console.error), EVERY)

	// a stream ends when the signal it is given aborts: this one also aborts on "restart"
	const ending = new AbortController()
	state.open.add(ending)
	return counter.produce({ headers: request.headers, signal: AbortSignal.any([request.signal, ending.signal]) }, {
		// clients come back within a second; the counter goes on meanwhile
		retry: 1000,
		initial: ({ emit, lastEventId }) => void emit('hello', { resumedAfter: lastEventId || null }),
		stop: () => {
			state.open.delete(ending)
			if (state.open.size > 0) return
			clearTimeout(state.idle)
			state.idle = setTimeout(() => {
				clearInterval(state.timer)
				state.timer = undefined
			}, LINGER)
		}
	})
}

/** Ends every open stream of the counter, and keeps counting; returns how many streams ended. */
export function restart(): number {
	const ended = state.open.size
	for (const ending of state.open) ending.abort()
	return ended
}

/**
 * A channel's events as an async iterable, built on the public `channel.subscribe`: the shape of
 * the `channel.events()` proposed for the library, tried here as the source of a `query.live`.
 */
import type { Channel, ChannelEvent, EventMap } from 'svelte-sse/server'

export interface EventsOptions {
	/** Replays the events after this id first. */
	after?: string
	/** Ends the iteration (and the subscription) when aborted: pass the request's signal. */
	signal?: AbortSignal
	/** Most events held for a consumer that reads slower than the channel publishes; beyond it, the iteration throws. Default 1000. */
	maxQueued?: number
}

export async function* events<Events extends EventMap>(
	channel: Channel<Events>,
	{ after, signal, maxQueued = 1000 }: EventsOptions = {}
): AsyncGenerator<ChannelEvent<Events>, void, undefined> {
	const queue: ChannelEvent<Events>[] = []
	let failure: unknown
	let wake: (() => void) | undefined
	const stop = () => wake?.()
	const unsubscribe = channel.subscribe(
		(event) => {
			if (failure !== undefined) return
			if (queue.length >= maxQueued) failure = new Error(`More than ${maxQueued} events of channel "${channel.name}" are waiting to be read.`)
			else queue.push(event)
			wake?.()
		},
		{
			after,
			onerror: (error) => {
				failure ??= error
				wake?.()
			}
		}
	)
	signal?.addEventListener('abort', stop, { once: true })
	try {
		for (;;) {
			while (queue.length > 0 && failure === undefined) yield queue.shift()!
			if (failure !== undefined) throw failure
			if (signal?.aborted) return
			await new Promise<void>((resolve) => (wake = resolve))
			wake = undefined
		}
	} finally {
		unsubscribe()
		signal?.removeEventListener('abort', stop)
	}
}

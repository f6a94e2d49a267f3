import { channel } from '$lib/server.js'

/** One number every 250 ms for every tab, with ids, while anyone listens. */
export const ticker = channel<{ tick: number }>('demos-shared')

/** Streams open right now: one per browser when the tabs share. */
export const open = { streams: 0 }

let timer: ReturnType<typeof setInterval> | undefined
let n = 0

/** Counts a stream in, starting the ticker for the first one. */
export function join(): void {
	open.streams++
	timer ??= setInterval(() => void ticker.publish('tick', ++n), 250)
}

/** Counts a stream out, stopping the ticker after the last one. */
export function leave(): void {
	if (--open.streams > 0) return
	clearInterval(timer)
	timer = undefined
}

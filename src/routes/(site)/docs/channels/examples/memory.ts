import { channel, memory } from '$lib/server.js'

// the default: channel('feed') is channel('feed', { backend }) with one memory() per process,
// keeping the last 1 000 events of each channel
const backend = memory({
	history: 200, // the events each channel keeps for clients that come back
	maxAge: 5 * 60_000 // and none older than five minutes
})

export const feed = channel('feed', { backend })

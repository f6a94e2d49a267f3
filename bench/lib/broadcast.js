/**
 * The broadcast benchmark's event, shared by its server and its client: `tick` events whose
 * data is a JSON object of exactly PAYLOAD_BYTES characters carrying the server's clock at
 * publish time (`t`, microseconds of CLOCK_MONOTONIC, which every process on the machine shares)
 * and the broadcast's number (`seq`).
 */

export const EVENT_NAME = 'tick'
export const PAYLOAD_BYTES = 100
/** The first bytes of every payload: the client finds its events by them. */
export const MARKER = '{"t":'

/** Microseconds on the monotonic clock, comparable between processes of one machine. */
export function nowMicros() {
	return Number(process.hrtime.bigint() / 1000n)
}

/** The data of broadcast `seq`, stamped now: `{"t":…,"seq":…,"pad":"…"}`, PAYLOAD_BYTES long as JSON. */
export function tick(seq) {
	const t = nowMicros()
	const bare = `{"t":${t},"seq":${seq},"pad":""}`.length
	return { t, seq, pad: '.'.repeat(Math.max(0, PAYLOAD_BYTES - bare)) }
}

/**
 * Ids for the producers that do not make their own, as long as the memory backend's
 * (`<8 random base-36 characters>-<n>`, n counting publishes from 1), so every producer sends
 * the same number of bytes.
 */
export function idOf(n) {
	return `bench000-${n}`
}

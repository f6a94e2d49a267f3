/** The benchmark event: `event: tick\ndata: <80 characters>\n\n`, 100 bytes on the wire. */
export const EVENT_NAME = 'tick'
export const PAYLOAD_LENGTH = 80
export const EVENT_BYTES = `event: ${EVENT_NAME}\ndata: \n\n`.length + PAYLOAD_LENGTH

const FILL = '.'.repeat(PAYLOAD_LENGTH)

/** The data of event `i`: its number, padded to PAYLOAD_LENGTH characters. */
export function payload(i) {
	const number = String(i)
	return number + FILL.slice(number.length)
}

/** The events of a room channel, shared by its endpoint, its page and its live query. */
export type RoomEvents = { message: { text: string } }

/** A room event's data as it went on the wire (JSON text), back as the message it was. */
export function text(data: string): string {
	return (JSON.parse(data) as RoomEvents['message']).text
}

/** One chat message as the server sends it. */
export interface ChatMessage {
	id: number
	name: string
	text: string
	/** ISO time the server received it. */
	at: string
}

/** The events of the chat stream. */
export type ChatEvents = {
	message: ChatMessage
	/** How many people are connected. */
	presence: number
}

export const MAX_TEXT = 280
export const MAX_NAME = 24

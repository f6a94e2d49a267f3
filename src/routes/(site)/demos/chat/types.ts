/** One chat message as the server publishes it. */
export interface ChatMessage {
	name: string
	text: string
	/** ISO time the server received it. */
	at: string
}

/** The events of the chat room's channel. */
export type ChatEvents = {
	message: ChatMessage
	/** How many people are connected. */
	presence: number
}

export const MAX_TEXT = 280
export const MAX_NAME = 24

/** One notification as the server publishes it. */
export interface Notification {
	from: string
	text: string
	/** ISO time the server received it. */
	at: string
}

/** The events of a user's notification channel. */
export type NotificationEvents = { notification: Notification }

export const MAX_TEXT = 140

import { error, json } from '@sveltejs/kit'
import { counted, room } from './room'
import { MAX_NAME, MAX_TEXT } from './types'
import type { RequestHandler } from './$types'

/** The room's stream: every message published from now on (and, after a reconnect, those missed). */
export const GET: RequestHandler = ({ request }) => room.produce(request, counted())

/** Posts a message: JSON `{ name, text }`. */
export const POST: RequestHandler = async ({ request }) => {
	const body: unknown = await request.json().catch(() => undefined)
	if (typeof body !== 'object' || body === null) error(400, 'Send JSON: { "name": "…", "text": "…" }.')
	const { name, text } = body as Record<string, unknown>
	if (typeof text !== 'string' || text.trim() === '') error(400, 'The message is empty.')
	if (text.length > MAX_TEXT) error(400, `A message has at most ${MAX_TEXT} characters.`)
	if (name !== undefined && typeof name !== 'string') error(400, 'The name must be text.')
	const sender = (name ?? '').trim().slice(0, MAX_NAME) || 'Anonymous'
	// resolves with the event's id once the channel's backend holds it
	const id = await room.publish('message', { name: sender, text: text.trim(), at: new Date().toISOString() })
	return json({ id }, { status: 201 })
}

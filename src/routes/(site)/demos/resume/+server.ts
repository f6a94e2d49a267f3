import { json } from '@sveltejs/kit'
import { restart, watch } from './streams'
import type { RequestHandler } from './$types'

/** The counter's stream; a client that comes back sends Last-Event-ID and misses nothing. */
export const GET: RequestHandler = ({ request }) => watch(request)

/** "Restart the server side": ends every stream of the counter while it keeps counting. */
export const POST: RequestHandler = () => json({ ended: restart() })

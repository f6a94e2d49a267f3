import { json } from '@sveltejs/kit'
import type { RequestHandler } from './$types'
import { open } from '../ticker'

/** How many streams of the ticker are open on the server. */
export const GET: RequestHandler = () => json({ streams: open.streams }, { headers: { 'cache-control': 'no-store' } })

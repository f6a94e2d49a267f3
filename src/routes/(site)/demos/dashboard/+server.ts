import { metrics, watching } from './fleet'
import type { RequestHandler } from './$types'

/** The dashboard's stream: the recent readings of every server, then each new one. */
export const GET: RequestHandler = ({ request }) => metrics.produce(request, watching())

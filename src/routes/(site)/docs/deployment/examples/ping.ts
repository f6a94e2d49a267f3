import { channel } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

const alerts = channel<{ alert: string }>('alerts')

// a load balancer that closes connections idle for 30 s: a comment every 10 s keeps the
// stream busy (the default is every 15 s, and false turns pings off)
export const GET: RequestHandler = ({ request }) => alerts.produce(request, { ping: 10_000 })

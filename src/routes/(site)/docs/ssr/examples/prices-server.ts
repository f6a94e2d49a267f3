import { channel } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

type Price = { symbol: string; usd: number }

// the same channel as +page.server.ts: channel() gives one object per name
const prices = channel<{ price: Price }>('prices')

/** The page's stream: after a Last-Event-ID, first what was published since, then live. */
export const GET: RequestHandler = ({ request }) => prices.produce(request)

/** Your own feed, publishing as prices change. */
export const POST: RequestHandler = async ({ request }) => {
	const price = (await request.json()) as Price
	return new Response(await prices.publish('price', price), { status: 201 })
}

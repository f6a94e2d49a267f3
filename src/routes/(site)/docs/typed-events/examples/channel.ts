import { json } from '@sveltejs/kit'
import { channel } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'
import { Halt, type MarketEvents } from './events'

const market = channel<MarketEvents>('market')

export const GET: RequestHandler = ({ request }) =>
	market.produce(request, {
		// `initial`'s emit is typed by the same map
		initial: ({ emit }) => void emit('notice', 'Welcome'),
		// a filter sees the event's name typed, and its data as the text on the wire
		filter: (event) => event.event !== 'halt' || Halt.parse(JSON.parse(event.data)).symbol === 'ACME'
	})

/** An admin halts trading in a symbol. */
export const POST: RequestHandler = async ({ request }) => {
	// the schema checks what comes in, and gives the type that `publish` expects
	const halt = Halt.parse(await request.json())
	const id = await market.publish('halt', halt)
	// @ts-expect-error: a halt has no `price`
	await market.publish('halt', { symbol: 'ACME', price: 1 })
	return json({ id })
}

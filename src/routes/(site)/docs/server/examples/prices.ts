import { produce, StreamClosedError } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

type Price = { symbol: string; usd: number; seq: number }
/** Your own data source: calls `onPrice` for every new price, returns what unsubscribes. */
declare function watchPrices(onPrice: (price: Price) => void): () => void

export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit, lock }) => {
			const unwatch = watchPrices((price) => {
				// objects are sent as JSON; the id lets a client resume after this event
				const { error } = emit('price', price, { id: String(price.seq) })
				if (error instanceof StreamClosedError) return // over: the cleanup unwatches
				if (error) console.warn(error.message) // a ProtocolError: this one event was not sent
			})
			// a market that closes ends the stream for everyone
			const closing = setTimeout(() => lock.set(false), 8 * 60 * 60 * 1000)
			return (reason) => {
				unwatch()
				clearTimeout(closing)
				console.log(`price stream ended: ${reason}`)
			}
		},
		{ request }
	)

import { produce } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'
import type { MarketEvents } from './events'

export const GET: RequestHandler = ({ request }) =>
	produce<MarketEvents>(
		({ emit }) => {
			emit('notice', 'Market open')
			const timer = setInterval(() => {
				emit('trade', { symbol: 'ACME', price: 12.5, size: 100 })
			}, 1000)

			// @ts-expect-error: `size` is missing, so this does not compile
			emit('trade', { symbol: 'ACME', price: 12.5 })
			// @ts-expect-error: there is no event named `trades`
			emit('trades', [])

			return () => clearInterval(timer)
		},
		{ request }
	)

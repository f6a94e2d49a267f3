import { produce } from '$lib/server.js'
import type { RequestHandler } from './$types'

const prices: Record<string, number> = { ACME: 124.5, GLOBEX: 58.2, INITECH: 311.75 }
const symbols = Object.keys(prices)

/** What a flaky upstream feed might send now and then. Every third tick is one of these. */
const broken: unknown[] = [
	{ symbol: 'ACME', price: 'n/a' },
	{ symbol: '', price: 12 },
	{ symbol: 'GLOBEX', price: -3 },
	'PRICE FEED TIMEOUT'
]

/** Stock ticks, some of them deliberately invalid. */
export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit }) => {
			let n = 0
			const tick = () => {
				n++
				if (n % 3 === 0) {
					emit('tick', broken[(n / 3 - 1) % broken.length])
					return
				}
				const symbol = symbols[n % symbols.length]!
				const move = 1 + (Math.random() - 0.5) / 50
				prices[symbol] = Math.round(prices[symbol]! * move * 100) / 100
				emit('tick', { symbol, price: prices[symbol], time: new Date().toISOString() })
			}
			tick()
			const timer = setInterval(tick, 700)
			return () => clearInterval(timer)
		},
		{ request }
	)

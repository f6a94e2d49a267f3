import { channel } from '$lib/server.js'
import type { ServerLoad } from '@sveltejs/kit'

type Price = { symbol: string; usd: number }

const prices = channel<{ price: Price }>('prices')

// the latest price, with its id: the page renders it, and its stream resumes right after it
export const load: ServerLoad = async () => ({ latest: await prices.latest('price') })

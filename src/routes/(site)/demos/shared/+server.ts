import type { RequestHandler } from './$types'
import { join, leave, ticker } from './ticker'

/** The ticker's stream; every stream counts in while it is open. */
export const GET: RequestHandler = ({ request }) =>
	ticker.produce(request, {
		initial: () => join(),
		stop: () => leave()
	})

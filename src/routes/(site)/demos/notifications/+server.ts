import { error } from '@sveltejs/kit'
import { inbox, userOf } from './users'
import type { RequestHandler } from './$types'

/**
 * The signed-in user's notifications: 401 without a session. The check runs once, when the
 * stream opens; after signing out, the client closes it (a server that ends sessions early
 * would also end their streams).
 */
export const GET: RequestHandler = ({ request, cookies }) => {
	const user = userOf(cookies)
	if (!user) error(401, 'Sign in to receive notifications.')
	return inbox(user).produce(request)
}

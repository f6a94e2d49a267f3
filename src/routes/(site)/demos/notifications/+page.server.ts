import { fail } from '@sveltejs/kit'
import { MAX_TEXT } from './types'
import { inbox, isUser, signIn, signOut, USERS, userOf } from './users'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = ({ cookies }) => ({ user: userOf(cookies) ?? null, users: USERS })

export const actions: Actions = {
	signIn: async ({ request, cookies }) => {
		const user = (await request.formData()).get('user')
		if (!isUser(user)) return fail(400, { problem: 'Pick one of the users.' })
		signIn(cookies, user)
	},

	signOut: ({ cookies }) => signOut(cookies),

	/** Sends a notification to one user's channel: every stream of theirs receives it. */
	send: async ({ request, cookies }) => {
		const from = userOf(cookies)
		if (!from) return fail(401, { problem: 'Sign in to send notifications.' })
		const form = await request.formData()
		const to = form.get('to')
		const text = String(form.get('text') ?? '').trim()
		if (!isUser(to)) return fail(400, { problem: 'Pick who to notify.' })
		if (text === '' || text.length > MAX_TEXT) return fail(400, { problem: `Write 1 to ${MAX_TEXT} characters.` })
		await inbox(to).publish('notification', { from: USERS[from], text, at: new Date().toISOString() })
		return { sent: USERS[to] }
	}
}

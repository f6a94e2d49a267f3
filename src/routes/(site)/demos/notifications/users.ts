// Server-only: the demo's users, its sessions and one notification channel per user. A real
// app has its own users and sessions; what matters here is that the stream asks for the same
// session as every other request.
import { channel } from '$lib/server.js'
import type { Cookies } from '@sveltejs/kit'
import type { NotificationEvents } from './types'

/** The people you can sign in as. */
export const USERS = { ada: 'Ada', grace: 'Grace', linus: 'Linus' } as const
export type User = keyof typeof USERS

export const isUser = (name: unknown): name is User => typeof name === 'string' && Object.hasOwn(USERS, name)

/** The session cookie: a random token, never the user's name, so it cannot be edited into another user. */
const COOKIE = 'demo_session'
const COOKIE_OPTIONS = { path: '/demos/notifications', httpOnly: true, sameSite: 'lax', maxAge: 60 * 60 } as const

/** Token -> user, in this process's memory (a real app keeps sessions in its database). */
const sessions = new Map<string, User>()

export function signIn(cookies: Cookies, user: User): void {
	const token = crypto.randomUUID()
	sessions.set(token, user)
	cookies.set(COOKIE, token, COOKIE_OPTIONS)
}

export function signOut(cookies: Cookies): void {
	const token = cookies.get(COOKIE)
	if (token) sessions.delete(token)
	cookies.delete(COOKIE, COOKIE_OPTIONS)
}

/** The signed-in user, or undefined. */
export function userOf(cookies: Cookies): User | undefined {
	const token = cookies.get(COOKIE)
	return token ? sessions.get(token) : undefined
}

/** One channel per user: a stream can only ever carry its own user's notifications. */
export const inbox = (user: User) => channel<NotificationEvents>(`demos/notifications:${user}`)

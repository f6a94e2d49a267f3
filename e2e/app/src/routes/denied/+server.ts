// For e2e/share-followers.spec.ts: a stream that is never allowed.
import type { RequestHandler } from './$types'

export const GET: RequestHandler = () => new Response('not allowed', { status: 401 })

import { channel } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

type BoardEvents = { card: { id: string; title: string }; moved: { id: string; to: string } }

// one channel per board: asking for it in every request is cheap, since the same name
// (on the same backend) is always the same channel
const board = (url: URL) => channel<BoardEvents>(`board:${url.searchParams.get('board') ?? 'main'}`)

export const GET: RequestHandler = ({ request, url }) => board(url).produce(request)

export const PATCH: RequestHandler = async ({ request, url }) => {
	const { card, to } = (await request.json()) as { card: string; to: string }
	await board(url).publish('moved', { id: card, to })
	return new Response(null, { status: 204 })
}

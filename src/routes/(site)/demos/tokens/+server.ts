import { error } from '@sveltejs/kit'
import { produce } from '$lib/server.js'
import type { RequestHandler } from './$types'

const MAX_PROMPT = 200
const DELAY = 40

/** A canned answer: this demo streams text the way a language model's API would. */
function answer(prompt: string): string {
	return (
		`You asked: "${prompt}". Here is the short answer. Server-sent events keep one HTTP response open ` +
		`and write small text frames to it whenever the server has something to say. Each frame can carry ` +
		`a name, an id and data. The browser reads them as they arrive, so a long answer can be shown word ` +
		`by word instead of all at once. When the answer is complete, the server says so and ends the stream.`
	)
}

/** Waits `ms`, or less when `signal` aborts first; either way it leaves no listener behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(timer)
			signal.removeEventListener('abort', done)
			resolve()
		}
		const timer = setTimeout(done, ms)
		signal.addEventListener('abort', done, { once: true })
	})
}

/**
 * POST `{ prompt }`: the answer, one word per event, then `done`. Cancel closes the client's
 * request; `signal` aborts at once and the loop stops generating.
 */
export const POST: RequestHandler = async ({ request }) => {
	const body: unknown = await request.json().catch(() => undefined)
	const prompt = typeof body === 'object' && body !== null ? (body as { prompt?: unknown }).prompt : undefined
	if (typeof prompt !== 'string' || prompt.trim() === '') error(400, 'Send JSON: { "prompt": "…" }.')
	if (prompt.length > MAX_PROMPT) error(400, `A prompt has at most ${MAX_PROMPT} characters.`)

	// words with their trailing space, so the client only has to concatenate
	const tokens = answer(prompt.trim()).match(/\S+\s*/g) ?? []

	return produce(
		async ({ emit, lock, signal }) => {
			// with a real model, pass `signal` to its API call too, so that it stops generating
			for (const token of tokens) {
				await sleep(DELAY, signal)
				// the reader cancelled or left, or the stream ended: stop producing
				if (signal.aborted || emit('token', token).error) return
			}
			emit('done', { tokens: tokens.length })
			lock.set(false)
		},
		{ request }
	)
}

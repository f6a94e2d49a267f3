// Exists for e2e tests (e2e/server.spec.ts): what stream `id` of this app recorded on the server.
import { error, json } from '@sveltejs/kit'
import { lookup } from '$lib/registry.js'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ params }) => {
	const run = lookup(params.id)
	if (run === undefined) error(404, `No stream ${params.id}`)
	return json(run, { headers: { 'cache-control': 'no-store' } })
}

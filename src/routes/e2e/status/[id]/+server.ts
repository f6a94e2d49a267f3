// Exists for e2e tests (e2e/server.spec.ts): what the /e2e/ stream `id` recorded on the server.
import { error, json } from '@sveltejs/kit'
import { lookup } from '../../registry.js'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = ({ params }) => {
	const run = lookup(params.id)
	if (run === undefined) error(404, `No e2e stream ${params.id}`)
	return json(run, { headers: { 'cache-control': 'no-store' } })
}

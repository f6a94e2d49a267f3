/**
 * One app instance for the multi-process tests, run as its own Node process: a channel on
 * Postgres served over HTTP. GET /events streams it; POST /publish?count=N&tag=T&parallel=P
 * publishes `T<loop>:<k>` from P loops at once, k = 1…N/P each without pausing, retrying a
 * number until Postgres takes it, and answers `{ last }` (the last id) when all are stored.
 * Prints `listening <url>` once it serves.
 */
import postgresJs from 'postgres'
import { channel } from '../../src/lib/server.js'
import { postgres } from '../../src/lib/postgres/index.js'
import { serve } from '../helpers/serve.js'

const sql = postgresJs(process.env.DATABASE_URL!, { onnotice: () => {}, max: 8, fetch_types: false })
const backend = postgres({ sql, table: process.env.TABLE })
const room = channel<{ n: string }>('cluster', { backend })

async function publish(tag: string, count: number, parallel: number): Promise<string> {
	let last = '0'
	await Promise.all(
		Array.from({ length: parallel }, async (_, loop) => {
			for (let k = 1; k <= count / parallel; k++) {
				for (;;) {
					try {
						const id = await room.publish('n', `${tag}${loop}:${k}`)
						if (backend.compare(id, last) > 0) last = id
						break
					} catch {
						await new Promise((resolve) => setTimeout(resolve, 20))
					}
				}
			}
		})
	)
	return last
}

const served = await serve(async (request) => {
	const url = new URL(request.url)
	if (url.pathname === '/publish') {
		const last = await publish(url.searchParams.get('tag') ?? '', Number(url.searchParams.get('count') ?? 1), Number(url.searchParams.get('parallel') ?? 1))
		return Response.json({ last })
	}
	return room.produce(request, { ping: 1000 })
})
console.log(`listening ${served.url}`)

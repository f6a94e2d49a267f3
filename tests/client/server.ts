/**
 * Real SSE endpoints for the client tests, built with the library's own `produce`, behind a
 * real node:http server. Each endpoint records the requests it saw.
 */
import { produce } from '../../src/lib/server.js'
import { serve, type Served } from '../helpers/serve.js'

export interface Seen {
	method: string
	headers: Headers
	body: string
}

export interface Endpoints extends Served {
	/** Requests per path, in order. */
	seen: Map<string, Seen[]>
	/** Streams per path that have ended on the server (its `stop` ran). */
	stopped: Map<string, number>
	/** Emits to every open stream of `path`. */
	emit(path: string, event: string, data: string, id?: string): void
	/** Ends every open stream of `path` from the server side. */
	end(path: string): void
	/** Open streams per path. */
	open(path: string): number
}

type Emit = (event: string, data: unknown, options?: { id?: string }) => { error: false | Error }
export type Route = (request: Request, tools: { count: number; stream: (start?: (emit: Emit, lastEventId: string) => void, options?: { retry?: number }) => Response }) => Response | Promise<Response>

/** Starts a server with `routes`; a route not listed answers with a stream driven by `emit`/`end`. */
export async function endpoints(routes: Record<string, Route> = {}): Promise<Endpoints> {
	const seen = new Map<string, Seen[]>()
	const stopped = new Map<string, number>()
	const live = new Map<string, Set<{ emit: Emit; end: () => void }>>()
	const served = await serve(async (request) => {
		const path = new URL(request.url).pathname
		const list = seen.get(path) ?? []
		seen.set(path, list)
		list.push({ method: request.method, headers: request.headers, body: request.body ? await request.text() : '' })
		const stream = (start?: (emit: Emit, lastEventId: string) => void, options: { retry?: number } = {}) =>
			produce(
				({ emit, lock, lastEventId }) => {
					const handle = { emit, end: () => lock.set(false) }
					const set = live.get(path) ?? new Set()
					live.set(path, set)
					set.add(handle)
					start?.(emit, lastEventId)
					return () => void set.delete(handle)
				},
				{ request, retry: options.retry, stop: () => void stopped.set(path, (stopped.get(path) ?? 0) + 1) }
			)
		const route = routes[path]
		return route ? route(request, { count: list.length, stream }) : stream()
	})
	return {
		...served,
		seen,
		stopped,
		emit: (path, event, data, id) => {
			for (const { emit } of live.get(path) ?? []) emit(event, data, id === undefined ? undefined : { id })
		},
		end: (path) => {
			for (const { end } of [...(live.get(path) ?? [])]) end()
		},
		open: (path) => live.get(path)?.size ?? 0
	}
}

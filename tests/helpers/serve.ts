/**
 * A real node:http server around a Fetch-API handler, the way adapter-node runs a
 * `+server.ts`: the request's signal aborts when the client goes away, the response body is
 * written with backpressure, and the body stream is cancelled when the socket closes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Readable } from 'node:stream'

export type Handler = (request: Request) => Response | Promise<Response>

export interface Served {
	/** Base url, e.g. http://127.0.0.1:41234 */
	url: string
	server: Server
	close(): Promise<void>
}

function toRequest(req: IncomingMessage, base: string, signal: AbortSignal): Request {
	const headers = new Headers()
	for (const [name, value] of Object.entries(req.headers)) {
		if (Array.isArray(value)) for (const v of value) headers.append(name, v)
		else if (value !== undefined) headers.set(name, value)
	}
	const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
	return new Request(new URL(req.url ?? '/', base), {
		method: req.method,
		headers,
		signal,
		body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
		// @ts-expect-error duplex is required by undici for streamed bodies
		duplex: hasBody ? 'half' : undefined
	})
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
	res.writeHead(response.status, Object.fromEntries(response.headers))
	res.flushHeaders()
	if (!response.body) return void res.end()
	const reader = response.body.getReader()
	res.on('close', () => void reader.cancel().catch(() => {}))
	try {
		for (;;) {
			const { done, value } = await reader.read()
			if (done) break
			if (!res.write(value)) {
				await new Promise<void>((resolve) => {
					const done = () => {
						res.off('drain', done)
						res.off('close', done)
						resolve()
					}
					res.on('drain', done)
					res.on('close', done)
				})
			}
			if (res.destroyed) break
		}
	} catch {
		// the body errored or was cancelled: the connection is closed below
	}
	res.end()
}

export async function serve(handler: Handler): Promise<Served> {
	const sockets = new Set<Socket>()
	let base = ''
	const server = createServer(async (req, res) => {
		const abort = new AbortController()
		res.on('close', () => abort.abort())
		try {
			await writeResponse(await handler(toRequest(req, base, abort.signal)), res)
		} catch (error) {
			if (!res.headersSent) res.writeHead(500)
			res.end(String(error))
		}
	})
	server.on('connection', (socket) => {
		sockets.add(socket)
		socket.on('close', () => sockets.delete(socket))
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
	return {
		url: base,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy()
				server.close(() => resolve())
			})
	}
}

/**
 * produce() written by SvelteKit's own node adapter code (`getRequest`/`setResponse` from
 * @sveltejs/kit/node, which adapter-node and `vite preview` use) over a real node:http server.
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequest, setResponse } from '@sveltejs/kit/node'
import { afterEach, describe, expect, it } from 'vitest'
import { produce, type StopReason } from '../../src/lib/server.js'

let server: Server | undefined
afterEach(async () => {
	await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
	server = undefined
})

describe('produce under @sveltejs/kit/node', () => {
	it('survives a client that left before produce() ran (no uncaught error takes the server down)', async () => {
		const uncaught: unknown[] = []
		const onUncaught = (error: unknown) => uncaught.push(error)
		process.on('uncaughtException', onUncaught)
		const stops: StopReason[] = []
		let answered = 0
		try {
			// each client leaves once the server has its request, however slow the machine is
			const arrived = new Map<string, () => void>()
			server = createServer(async (req, res) => {
				arrived.get(String(req.headers['x-client']))?.()
				const request = await getRequest({ base: 'http://127.0.0.1', request: req })
				// the handler is still busy (a database call, say) when the client leaves
				await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve(), { once: true }))
				const response = produce(({ emit }) => void emit('hello', 'never seen'), { request, stop: (reason) => void stops.push(reason) })
				await setResponse(res, response)
				answered++
			})
			await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
			const { port } = server.address() as AddressInfo
			for (let i = 0; i < 10; i++) {
				const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { accept: 'text/event-stream', 'x-client': String(i) } })
				req.on('error', () => {})
				arrived.set(String(i), () => setTimeout(() => req.destroy(), 10))
				req.end()
			}
			const deadline = Date.now() + 10_000
			while (answered < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
			await new Promise((resolve) => setTimeout(resolve, 100))
		} finally {
			process.off('uncaughtException', onUncaught)
		}
		expect(uncaught).toEqual([])
		expect(answered).toBe(10)
		expect(stops).toEqual(Array(10).fill('disconnected'))
	}, 15_000)
})

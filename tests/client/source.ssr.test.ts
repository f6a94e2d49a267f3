import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Source, source } from '../../src/lib/index.js'
import { endpoints, type Endpoints } from './server.js'
import { sleep } from '../helpers/wait.js'

let server: Endpoints
beforeEach(async () => {
	server = await endpoints()
})
afterEach(() => server.close())

describe('Source on the server', () => {
	it('never fetches or schedules anything, and renders initial values', async () => {
		const fetch = vi.fn(globalThis.fetch)
		const timers = vi.spyOn(globalThis, 'setTimeout')
		const sse = new Source(server.url + '/ssr', { lazy: false, fetch })
		const tick = sse.select('tick', { initial: '{"n":0}' })
		expect(tick.current).toBe('{"n":0}')
		expect(tick.json<{ n: number }>().current).toEqual({ n: 0 })
		const unsubscribe = tick.subscribe(() => {})
		sse.connect()
		expect(sse.status).toBe('idle')
		expect(source(server.url + '/ssr').status).toBe('idle')
		// one module serves every request on the server: nothing is shared between them
		expect(source(server.url + '/ssr')).not.toBe(source(server.url + '/ssr'))
		expect(timers).not.toHaveBeenCalled()
		await sleep(100)
		unsubscribe()
		expect(fetch).not.toHaveBeenCalled()
		expect(server.seen.size).toBe(0)
	})
})

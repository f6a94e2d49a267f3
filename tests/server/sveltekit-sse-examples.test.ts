/**
 * The server examples from sveltekit-sse's README, with only the import changed (and delays
 * shortened), each run against a real server: svelte-sse must feel at home to its users.
 * Test-only additions (spies, the delay length) are marked `// test:`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { produce, type Unsafe } from '$lib/server.js'
import { serve, type Served } from '../helpers/serve.js'
import { BodyReader, deferred, until, within } from './helpers.js'

const servers: Served[] = []
afterEach(async () => {
	vi.restoreAllMocks()
	await Promise.all(servers.splice(0).map((served) => served.close()))
})

async function route(POST: (event: { request: Request }) => Response | Promise<Response>) {
	const served = await serve((request) => POST({ request }))
	servers.push(served)
	return served.url
}

async function open(url: string, headers: Record<string, string> = {}) {
	const abort = new AbortController()
	const response = await fetch(url, { method: 'POST', signal: abort.signal, headers })
	return { response, reader: new BodyReader(response.body), abort }
}

describe('sveltekit-sse README examples, on svelte-sse', () => {
	it('the clock: emits the time until the client leaves, then the loop ends on the emit error', async () => {
		const SECOND = 25 // test: a shorter second
		const loopEnded = deferred() // test

		function delay(milliseconds: number) {
			return new Promise(function run(resolve) {
				setTimeout(resolve, milliseconds)
			})
		}

		function POST() {
			return produce(async function start({ emit }) {
				while (true) {
					const { error } = emit('message', `the time is ${Date.now()}`)
					if (error) {
						loopEnded.resolve() // test
						return
					}
					await delay(SECOND)
				}
			})
		}

		const url = await route(POST)
		const { reader, abort } = await open(url)
		while ((reader.text.match(/data: the time is/g) ?? []).length < 2) await reader.next()
		expect(reader.text).toMatch(/^:\n\n(event: message\ndata: the time is \d+\n\n){2}/)
		abort.abort()
		await within(loopEnded.promise, 5_000, 'the loop to see the emit error')
	})

	it('locking: emits hello world and closes the stream when unlocked', async () => {
		let afterUnlock: Unsafe<void> | undefined // test

		function POST() {
			return produce(function start({ emit, lock }) {
				emit('message', 'hello world')
				setTimeout(function unlock() {
					lock.set(false)
					afterUnlock = emit('message', 'I have a bad feeling about this...') // test
				}, 50) // test: 2000 in the README
			})
		}

		const url = await route(POST)
		const { reader } = await open(url)
		expect(await within(reader.rest(), 5_000, 'the stream to close')).toBe(
			':\n\nevent: message\ndata: hello world\n\n'
		)
		expect(afterUnlock?.error).toBeInstanceOf(Error)
	})

	it('stop: a function returned from start runs when the client cancels', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {})

		function POST() {
			return produce(function start({ emit, lock }) {
				emit('message', 'hello')
				return function cancel() {
					console.log('Connection canceled.')
				}
			})
		}

		const url = await route(POST)
		const { reader, abort } = await open(url)
		await reader.until('data: hello')
		expect(log).not.toHaveBeenCalled()
		abort.abort()
		await until(() => log.mock.calls.length > 0, 'the cancel function')
		expect(log.mock.calls).toEqual([['Connection canceled.']])
	})

	it('stop: options.stop runs after lock.set(false)', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {})

		function POST() {
			return produce(
				function start({ emit, lock }) {
					emit('message', 'hello')
					lock.set(false)
				},
				{
					stop() {
						console.log('Connection stopped.')
					}
				}
			)
		}

		const url = await route(POST)
		const { reader } = await open(url)
		expect(await within(reader.rest(), 5_000, 'the stream to close')).toBe(':\n\nevent: message\ndata: hello\n\n')
		expect(log.mock.calls).toEqual([['Connection stopped.']])
	})

	it('cleanup: options.stop also runs when the client itself disconnects (no need to wait for the ping)', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {})

		function POST() {
			return produce(
				function start() {
					// Your emitters go here
				},
				{
					ping: 4000, // Custom ping interval
					stop() {
						console.log('Client disconnected.')
					}
				}
			)
		}

		const url = await route(POST)
		const { reader, abort } = await open(url)
		await reader.until(':\n\n')
		abort.abort()
		await until(() => log.mock.calls.length > 0, 'stop', 1000)
		expect(log.mock.calls).toEqual([['Client disconnected.']])
	})

	it('cleanup: an emit error from a remote source ends start, whose returned function then runs', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {})
		// test: a remote source that calls back every few milliseconds
		const remote = new EventTarget()
		const ticker = setInterval(() => remote.dispatchEvent(new CustomEvent('incoming-data', { detail: 'ping!' })), 5)
		function someRemoteEvent(name: string, run: (data: string) => void) {
			remote.addEventListener(name, (event) => run((event as CustomEvent<string>).detail))
		}

		try {
			function POST() {
				return produce(async function start({ emit }) {
					await new Promise(function start(resolve) {
						someRemoteEvent('incoming-data', function run(data) {
							const { error } = emit('data', data)
							if (error) {
								resolve(error)
							}
						})
					})
					return function stop() {
						// Do your cleanup here
						console.log('Client has disconnected.')
					}
				})
			}

			const url = await route(POST)
			const { reader, abort } = await open(url)
			await reader.until('event: data\ndata: ping!\n\n')
			abort.abort()
			await until(() => log.mock.calls.length > 0, 'the returned stop function')
			expect(log.mock.calls).toEqual([['Client has disconnected.']])
		} finally {
			clearInterval(ticker)
		}
	})

	describe("the FAQ's clients map", () => {
		// src/lib/clients.js
		const clients = new Map<string, (eventName: string, data: string) => Unsafe<void, Error>>()

		// src/routes/events/+server.js
		function POST({ request }: { request: Request }) {
			return produce(
				function start({ emit }) {
					const sessionId = request.headers.get('session-id') ?? ''
					if (!sessionId) {
						return function stop() {
							console.error('Client session id not found.')
						}
					}
					// Map the session id to an emitter.
					// This will also indicate to you that the client is "online".
					clients.set(sessionId, emit)
				},
				{
					// Client goes "offline", so remove the entry.
					stop() {
						const sessionId = request.headers.get('session-id') ?? ''
						if (!sessionId) {
							return
						}
						clients.delete(sessionId)
					}
				}
			)
		}

		it('maps a session to its emitter, lets other code emit through it, and forgets it when the client leaves', async () => {
			const url = await route(POST)
			const { reader, abort } = await open(url, { 'session-id': 'some-session-id' })
			await until(() => clients.has('some-session-id'), 'the client to go online')

			// some-file.js (the README calls `.emit` on the map entry, which is the emit function itself)
			const sent = clients.get('some-session-id')?.('message', 'hello')
			expect(sent).toEqual({ value: undefined, error: false })
			await reader.until('event: message\ndata: hello\n\n')

			abort.abort()
			await until(() => !clients.has('some-session-id'), 'the client to go offline')
			expect(clients.size).toBe(0)
		})

		it('runs the stop function returned for a client without a session id when it leaves', async () => {
			const error = vi.spyOn(console, 'error').mockImplementation(() => {})
			const url = await route(POST)
			const { reader, abort } = await open(url)
			await reader.until(':\n\n')
			expect(clients.size).toBe(0)
			expect(error).not.toHaveBeenCalled()
			abort.abort()
			await until(() => error.mock.calls.length > 0, 'the returned stop function')
			expect(error.mock.calls).toEqual([['Client session id not found.']])
		})
	})
})

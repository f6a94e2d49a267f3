import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flushSync } from 'svelte'
import * as v from 'valibot'
import { z } from 'zod'
import { Source, SourceError } from '../../src/lib/index.js'
import { endpoints, type Endpoints } from './server.js'
import { until } from '../helpers/wait.js'

let server: Endpoints
const cleanups: Array<() => void> = []

beforeEach(async () => {
	server = await endpoints()
})
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) cleanup()
	await server.close()
})

function make<E extends Record<string, unknown> = Record<string, string>>(path: string, options?: ConstructorParameters<typeof Source>[1]) {
	const sse = new Source<E>(server.url + path, options)
	cleanups.push(() => sse.close())
	return sse
}

/** Subscribes (which connects) and waits for the stream to be open on the server. */
async function reading(path: string, ...selections: Array<{ subscribe(run: () => void): () => void }>) {
	for (const selection of selections) cleanups.push(selection.subscribe(() => {}))
	await until(() => server.open(path) === 1, `the stream ${path}`)
}

describe('Selection', () => {
	it('is the same object for the same event name, and for json() without a fallback', () => {
		const sse = make('/same')
		expect(sse.select('tick')).toBe(sse.select('tick'))
		expect(sse.select()).toBe(sse.select('message'))
		expect(sse.select('tick').json()).toBe(sse.select('tick').json())
		expect(sse.select('tick')).not.toBe(sse.select('tock'))
	})

	it('stays tracked when markup calls select() on every run', async () => {
		const sse = make('/markup')
		const seen: Array<string | undefined> = []
		const destroy = $effect.root(() => {
			$effect(() => {
				seen.push(sse.select('tick').current)
			})
		})
		cleanups.push(destroy)
		flushSync()
		await until(() => server.open('/markup') === 1, 'the stream')
		server.emit('/markup', 'tick', 'a')
		server.emit('/markup', 'tick', 'b')
		await until(() => sse.select('tick').current === 'b', 'two ticks')
		flushSync()
		expect(seen.at(-1)).toBe('b')
	})

	it('reruns effects for events after a burst, whichever of them read current, latest or error', async () => {
		const sse = make('/bursts')
		const selection = sse.select('tick')
		const current: Array<string | undefined> = []
		const latest: Array<string | undefined> = []
		const errors: unknown[] = []
		const destroy = $effect.root(() => {
			$effect(() => {
				current.push(selection.current)
			})
			$effect(() => {
				latest.push(selection.latest?.raw)
			})
			$effect(() => {
				errors.push(selection.error)
			})
		})
		cleanups.push(destroy)
		flushSync()
		await until(() => server.open('/bursts') === 1, 'the stream')
		for (const value of ['a', 'b', 'c']) server.emit('/bursts', 'tick', value)
		await until(() => selection.current === 'c', 'the burst')
		flushSync()
		expect([current.at(-1), latest.at(-1)]).toEqual(['c', 'c'])
		server.emit('/bursts', 'tick', 'd')
		await until(() => selection.current === 'd', 'the next event')
		flushSync()
		expect([current.at(-1), latest.at(-1)]).toEqual(['d', 'd'])
		server.emit('/bursts', 'tick', 'd')
		await until(() => latest.length > 0 && selection.latest?.raw === 'd' && latest.filter((raw) => raw === 'd').length === 2, 'the same value again')
		flushSync()
		expect(current.at(-1)).toBe('d')
		expect(errors.every((error) => error === null)).toBe(true)
	})

	it('only sees events of its own type', async () => {
		const sse = make('/types')
		const message = sse.select()
		const tick = sse.select('tick')
		await reading('/types', message, tick)
		server.emit('/types', 'tick', '1')
		server.emit('/types', 'message', 'hello')
		await until(() => message.current === 'hello', 'the message')
		expect(tick.current).toBe('1')
	})

	it('decodes JSON with json(), typed from the event map', async () => {
		const sse = make<{ tick: { n: number } }>('/json')
		const tick = sse.select('tick').json()
		await reading('/json', tick)
		server.emit('/json', 'tick', JSON.stringify({ n: 7 }))
		await until(() => tick.current, 'a decoded tick')
		const n: number | undefined = tick.current?.n
		expect(n).toBe(7)
	})

	it('keeps the value and sets error on invalid JSON without a fallback', async () => {
		const errors: SourceError[] = []
		const sse = make('/badjson', { onerror: (error) => errors.push(error) })
		const data = sse.select().json<number>()
		await reading('/badjson', data)
		server.emit('/badjson', 'message', '1')
		await until(() => data.current === 1, 'the first value')
		server.emit('/badjson', 'message', '{oops')
		await until(() => data.error, 'the error')
		expect(data.current).toBe(1)
		expect(data.error!.kind).toBe('json')
		expect(errors).toEqual([data.error])
		server.emit('/badjson', 'message', '2')
		await until(() => data.current === 2, 'the next good value')
		expect(data.error).toBeNull()
	})

	it('gives the or fallback the error, the raw data and the previous value', async () => {
		const calls: Array<{ raw: string; previous: unknown; error: unknown }> = []
		const sse = make('/or')
		const data = sse.select().json<{ n: number }>((fallback) => {
			calls.push(fallback)
			return { n: -1 }
		})
		await reading('/or', data)
		server.emit('/or', 'message', '{"n":1}')
		server.emit('/or', 'message', 'not json')
		await until(() => data.current?.n === -1, 'the fallback value')
		expect(calls).toHaveLength(1)
		expect(calls[0]!.raw).toBe('not json')
		expect(calls[0]!.previous).toEqual({ n: 1 })
		expect(calls[0]!.error).toBeInstanceOf(SourceError)
		expect(data.error).toBeNull()
	})

	it('transforms values, and chains', async () => {
		const sse = make('/transform')
		const upper = sse.select().transform((s) => s.toUpperCase())
		const length = upper.transform((s) => s.length)
		await reading('/transform', upper, length)
		server.emit('/transform', 'message', 'hello')
		await until(() => upper.current === 'HELLO', 'the transformed value')
		expect(length.current).toBe(5)
	})

	it('reports a transform that throws as the selection error', async () => {
		const sse = make('/throws')
		const failing = sse.select().transform((s): string => {
			if (s === 'bad') throw new Error('cannot take bad')
			return s
		})
		await reading('/throws', failing)
		server.emit('/throws', 'message', 'good')
		server.emit('/throws', 'message', 'bad')
		await until(() => failing.error, 'the error')
		expect(failing.error!.message).toBe('cannot take bad')
		expect(failing.current).toBe('good')
	})

	it('validates with a zod schema, types the value, and rejects invalid data', async () => {
		const Tick = z.object({ n: z.number() })
		const sse = make('/zod')
		const tick = sse.select('tick', Tick)
		expect(sse.select('tick', Tick)).toBe(tick)
		await reading('/zod', tick)
		server.emit('/zod', 'tick', '{"n":1}')
		await until(() => tick.current, 'a valid tick')
		const n: number | undefined = tick.current?.n
		expect(n).toBe(1)
		server.emit('/zod', 'tick', '{"n":"one"}')
		await until(() => tick.error, 'the schema error')
		expect(tick.error!.kind).toBe('schema')
		expect(tick.error!.message).toContain('n')
		expect(tick.current).toEqual({ n: 1 })
	})

	it('validates with a valibot schema, including plain strings that look like JSON', async () => {
		const sse = make('/valibot')
		const text = sse.select('text', v.string())
		const count = sse.select('count', { schema: v.number(), initial: 0 })
		expect(count.current).toBe(0)
		await reading('/valibot', text, count)
		server.emit('/valibot', 'text', '123')
		server.emit('/valibot', 'count', '42')
		await until(() => count.current === 42, 'the count')
		expect(text.current).toBe('123')
	})

	it('keeps the order of events through an asynchronous schema', async () => {
		const slow = z.string().refine(async (s) => {
			await new Promise((resolve) => setTimeout(resolve, s === 'first' ? 30 : 0))
			return true
		})
		const sse = make('/async')
		const seen: string[] = []
		const selection = sse.select('x', slow)
		cleanups.push(selection.listen((value) => seen.push(value)))
		await until(() => server.open('/async') === 1, 'the stream')
		server.emit('/async', 'x', 'first')
		server.emit('/async', 'x', 'second')
		await until(() => seen.length === 2, 'both events')
		expect(seen).toEqual(['first', 'second'])
		expect(selection.current).toBe('second')
	})

	it('does not reject unhandled when a later event fails an asynchronous schema', async () => {
		const slow = z.string().refine(async (s) => {
			await new Promise((resolve) => setTimeout(resolve, s === 'first' ? 30 : 0))
			return s !== 'bad'
		}, 'not bad')
		const reported: SourceError[] = []
		const sse = make('/async-bad', { onerror: (error) => reported.push(error) })
		const seen: string[] = []
		const selection = sse.select('x', slow)
		cleanups.push(selection.listen((value) => seen.push(value)))
		await until(() => server.open('/async-bad') === 1, 'the stream')
		server.emit('/async-bad', 'x', 'first')
		server.emit('/async-bad', 'x', 'bad')
		server.emit('/async-bad', 'x', 'third')
		await until(() => seen.length === 2, 'the two good events')
		expect(seen).toEqual(['first', 'third'])
		expect(reported.map((error) => error.kind)).toEqual(['schema'])
		expect(selection.error).toBeNull()
	})

	it('drops an asynchronous validation still running when the last reader leaves, and validates again for the next', async () => {
		const slow = z.string().refine(async () => {
			await new Promise((resolve) => setTimeout(resolve, 50))
			return true
		})
		const sse = make('/async-left')
		const selection = sse.select('x', slow)
		const stop = selection.listen(() => {})
		await until(() => server.open('/async-left') === 1, 'the stream')
		server.emit('/async-left', 'x', 'late')
		await new Promise((resolve) => setTimeout(resolve, 20))
		stop()
		await new Promise((resolve) => setTimeout(resolve, 100))
		expect(selection.latest).toBeUndefined()
		const seen: string[] = []
		cleanups.push(selection.listen((value) => seen.push(value)))
		await until(() => selection.current === 'late', 'the event, validated again for the new reader')
		expect(seen).toEqual(['late'])
	})

	it('gives listen the event that latest shows, a new one for every event, identical values included', async () => {
		const sse = make('/latest-identity')
		const selection = sse.select('tick')
		const received: unknown[] = []
		cleanups.push(selection.listen((_, event) => received.push(event)))
		await until(() => server.open('/latest-identity') === 1, 'the stream')
		server.emit('/latest-identity', 'tick', 'same')
		server.emit('/latest-identity', 'tick', 'same')
		await until(() => received.length === 2, 'both events')
		expect(received[0]).not.toBe(received[1])
		expect(received[1]).toEqual({ value: 'same', raw: 'same', type: 'tick', id: expect.any(String) })
		expect(selection.latest).toBe(received[1])
		expect(selection.latest).toBe(selection.latest)
	})

	it('calls a listener that another listener adds from the next event on, and a subscriber that another subscriber adds once per value, as any subscribe', async () => {
		const sse = make('/added')
		const selection = sse.select('tick')
		const first: string[] = []
		const added: string[] = []
		const stored: Array<string | undefined> = []
		cleanups.push(
			selection.listen((value) => {
				first.push(value)
				if (value === 'a') cleanups.push(selection.listen((later) => added.push(later)))
			}),
			selection.subscribe((value) => {
				if (value === 'a') cleanups.push(selection.subscribe((later) => stored.push(later)))
			})
		)
		await until(() => server.open('/added') === 1, 'the stream')
		server.emit('/added', 'tick', 'a')
		server.emit('/added', 'tick', 'b')
		await until(() => first.length === 2, 'both events')
		expect(added).toEqual(['b'])
		expect(stored).toEqual(['a', 'b'])
	})

	it('gives data that does not match the schema to the or fallback', async () => {
		const sse = make('/schema-or')
		const fallbacks: Array<{ raw: string; previous: unknown; kind: string }> = []
		const tick = sse.select('tick', {
			schema: z.object({ n: z.number() }),
			or: ({ raw, previous, error }) => {
				fallbacks.push({ raw, previous, kind: error.kind })
				return previous
			}
		})
		await reading('/schema-or', tick)
		server.emit('/schema-or', 'tick', '{"n":1}')
		server.emit('/schema-or', 'tick', '{"n":"one"}')
		server.emit('/schema-or', 'tick', '{"n":2}')
		await until(() => tick.current?.n === 2, 'the third tick')
		expect(fallbacks).toEqual([{ raw: '{"n":"one"}', previous: { n: 1 }, kind: 'schema' }])
		expect(tick.error).toBeNull()
	})

	it('does not loop when markup makes a selection with an inline function or schema on every run', async () => {
		const sse = make('/inline')
		await reading('/inline', sse.select('tick'))
		server.emit('/inline', 'tick', '{"n":1}')
		await until(() => sse.select('tick').current, 'a tick before the readers arrive')
		let runs = 0
		const seen: unknown[] = []
		const destroy = $effect.root(() => {
			$effect(() => {
				runs++
				seen.push([
					sse.select('tick').json<{ n: number }>(({ previous }) => previous).current?.n,
					sse.select('tick').transform((s) => s.length).current,
					sse.select('tick', z.object({ n: z.number() })).current?.n
				])
			})
		})
		cleanups.push(destroy)
		flushSync()
		server.emit('/inline', 'tick', '{"n":22}')
		await until(() => sse.select('tick').current === '{"n":22}', 'the second tick')
		flushSync()
		expect(seen.at(0)).toEqual([1, 7, 1])
		expect(seen.at(-1)).toEqual([22, 8, 22])
		expect(runs).toBeLessThan(10)
	})

	it('shows the latest value at once to a reader that comes late', async () => {
		const sse = make('/late')
		const first = sse.select('tick')
		await reading('/late', first)
		server.emit('/late', 'tick', '{"n":3}')
		await until(() => first.current, 'a tick')
		const late = first.json<{ n: number }>()
		const values: unknown[] = []
		cleanups.push(late.subscribe((value) => values.push(value)))
		expect(values).toEqual([{ n: 3 }])
	})

	it('derives initial values for json() and transform()', () => {
		const sse = make('/initial')
		const raw = sse.select('tick', { initial: '{"n":0}' })
		expect(raw.current).toBe('{"n":0}')
		expect(raw.json<{ n: number }>().current).toEqual({ n: 0 })
		expect(raw.transform((s) => s.length).current).toBe(7)
	})

	it('works as a Svelte store: run at once, then on change; unsubscribe disconnects', async () => {
		const sse = make('/store')
		const values: Array<string | undefined> = []
		const unsubscribe = sse.select().subscribe((value) => values.push(value))
		expect(values).toEqual([undefined])
		await until(() => server.open('/store') === 1, 'subscribe to connect')
		server.emit('/store', 'message', 'a')
		await until(() => values.length === 2, 'the event')
		unsubscribe()
		unsubscribe()
		await until(() => server.stopped.get('/store') === 1, 'the disconnect')
		expect(values).toEqual([undefined, 'a'])
	})
})

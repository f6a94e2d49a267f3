import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/svelte'
import { z } from 'zod'
import { Source, type JsonFallback, type SelectionEvent } from '../../src/lib/index.js'
import SelectHarness from './fixtures/SelectHarness.svelte'
import Orphan from './fixtures/Orphan.svelte'
import { endpoints, type Endpoints } from '../client/server.js'
import { until } from '../helpers/wait.js'

let server: Endpoints
let source: Source<Record<string, unknown>>
beforeEach(async () => {
	server = await endpoints()
	source = new Source(server.url + '/s')
})
afterEach(async () => {
	cleanup()
	source.close()
	await server.close()
})

const text = (id: string) => screen.queryByTestId(id)?.textContent
const opened = () => until(() => server.open('/s') === 1, 'the stream')

describe('Select', () => {
	it('renders pending before the first event, then children for every event, identical values included', async () => {
		const seen: Array<SelectionEvent<unknown>> = []
		render(SelectHarness, { source, seen })
		expect(text('pending')).toBe('pending')
		await opened()
		// one render per flush: events that arrive apart each render, even with the same value
		for (const id of ['1', '2', '3']) {
			server.emit('/s', 'message', 'same', id)
			await until(() => seen.at(-1)?.id === id, `the render of event ${id}`)
		}
		expect(seen.map((event) => [event.value, event.id])).toEqual([
			['same', '1'],
			['same', '2'],
			['same', '3']
		])
		expect(text('value')).toBe('"same"')
	})

	it('selects by event name', async () => {
		render(SelectHarness, { source, event: 'tick' })
		await opened()
		server.emit('/s', 'message', 'not me')
		server.emit('/s', 'tick', 'me')
		await until(() => text('value') === '"me"', 'the tick')
		expect(text('pending')).toBeUndefined()
	})

	it('decodes JSON with json, and uses a json fallback function', async () => {
		render(SelectHarness, { source, json: () => ({ fallback: true }) })
		await opened()
		server.emit('/s', 'message', '{"n":1}')
		await until(() => text('value') === '{"n":1}', 'the decoded value')
		server.emit('/s', 'message', 'oops')
		await until(() => text('value') === '{"fallback":true}', 'the fallback value')
		expect(text('error')).toBeUndefined()
	})

	it('renders error(error) for data that is not JSON, without a fallback', async () => {
		render(SelectHarness, { source, json: true })
		await opened()
		server.emit('/s', 'message', 'oops')
		await until(() => text('error'), 'the error snippet')
		expect(text('error')).toContain('json:')
	})

	it('transforms values', async () => {
		// render() cannot infer a generic component's type parameters, hence the cast
		const transform = ((tick: { n: number }) => tick.n * 2) as (value: unknown) => unknown
		render(SelectHarness, { source, json: true, transform })
		await opened()
		server.emit('/s', 'message', '{"n":21}')
		await until(() => text('value') === '42', 'the transformed value')
		expect(text('error')).toBeUndefined()
	})

	it('renders what an async transform resolves to, in order', async () => {
		const transform = (async (text: string) => {
			// the first takes longest: order must still hold
			await new Promise((resolve) => setTimeout(resolve, text === 'a' ? 60 : 5))
			return text.toUpperCase()
		}) as (value: unknown) => unknown
		const seen: Array<SelectionEvent<unknown>> = []
		render(SelectHarness, { source, transform, seen })
		await opened()
		server.emit('/s', 'message', 'a')
		server.emit('/s', 'message', 'b')
		await until(() => text('value') === '"B"', 'the last resolved value')
		// resolved values only, never a promise, and never A after B (both may land in one render)
		const values = seen.map((event) => event.value)
		expect(values.at(-1)).toBe('B')
		expect(values.every((value) => value === 'A' || value === 'B')).toBe(true)
		expect(values.lastIndexOf('A')).toBeLessThan(values.indexOf('B'))
	})

	it('validates with a schema and renders the error for invalid data', async () => {
		render(SelectHarness, { source, schema: z.object({ price: z.number() }) })
		await opened()
		server.emit('/s', 'message', '{"price":3}')
		await until(() => text('value') === '{"price":3}', 'a valid value')
		server.emit('/s', 'message', '{"price":"free"}')
		await until(() => text('error'), 'the schema error')
		expect(text('error')).toContain('schema: ')
		server.emit('/s', 'message', '{"price":4}')
		await until(() => text('value') === '{"price":4}', 'the next valid value')
	})

	it('renders what the or prop gives for data that does not match the schema', async () => {
		render(SelectHarness, {
			source,
			schema: z.object({ price: z.number() }),
			or: ({ previous, raw }: JsonFallback<unknown>) => ({ price: -((previous as { price: number } | undefined)?.price ?? 0), raw })
		})
		await opened()
		server.emit('/s', 'message', '{"price":3}')
		await until(() => text('value') === '{"price":3}', 'a valid value')
		server.emit('/s', 'message', '{"price":"free"}')
		await until(() => text('value') === '{"price":-3,"raw":"{\\"price\\":\\"free\\"}"}', 'the fallback value')
		expect(text('error')).toBeUndefined()
	})

	it('accepts json together with a schema, which decodes JSON itself', async () => {
		render(SelectHarness, { source, json: true, schema: z.object({ n: z.number() }) })
		await opened()
		server.emit('/s', 'message', '{"n":5}')
		await until(() => text('value') === '{"n":5}', 'the validated value')
		expect(text('error')).toBeUndefined()
	})

	it('explains what is missing outside an SSESource without a source prop', () => {
		expect(() => render(Orphan)).toThrow(/inside <SSESource/)
	})
})

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { Source } from '../../src/lib/index.js'
import SourceHarness from './fixtures/SourceHarness.svelte'
import { endpoints, type Endpoints } from '../client/server.js'
import { until } from '../helpers/wait.js'

let server: Endpoints
beforeEach(async () => {
	server = await endpoints({
		'/denied': (_request, { count, stream }) => (count === 1 ? new Response('no', { status: 401 }) : stream()),
		'/empty': () => new Response(null, { status: 204 })
	})
})
afterEach(async () => {
	cleanup()
	await server.close()
})

const text = (id: string) => screen.queryByTestId(id)?.textContent

describe('SSESource', () => {
	it('renders connecting, then children with the source, and events through Select', async () => {
		render(SourceHarness, { url: server.url + '/a' })
		expect(text('connecting')).toBe('connecting')
		await until(() => text('status') === 'open', 'children with status open')
		expect(text('pending')).toBe('no message yet')
		server.emit('/a', 'message', 'hello')
		await until(() => text('message') === 'hello', 'the message')
	})

	it('renders children while connecting when there is no connecting snippet', () => {
		render(SourceHarness, { url: server.url + '/b', snippets: [] })
		expect(text('status')).toBe('connecting')
	})

	it('renders error(error, retry), and retry reconnects', async () => {
		render(SourceHarness, { url: server.url + '/denied' })
		await until(() => text('error'), 'the error snippet')
		expect(text('error')).toContain('401')
		await fireEvent.click(screen.getByRole('button', { name: 'retry' }))
		await until(() => text('status') === 'open', 'the stream after retry')
		expect(server.seen.get('/denied')).toHaveLength(2)
	})

	it('renders closed() once the stream is closed for good', async () => {
		render(SourceHarness, { url: server.url + '/empty' })
		await until(() => text('closed'), 'the closed snippet')
		expect(text('status')).toBeUndefined()
	})

	it('reconnects when the url changes, closing the old stream', async () => {
		const { rerender } = render(SourceHarness, { url: server.url + '/first' })
		await until(() => server.open('/first') === 1, 'the first stream')
		await rerender({ url: server.url + '/second' })
		await until(() => server.open('/second') === 1, 'the second stream')
		await until(() => server.stopped.get('/first') === 1, 'the first stream to end')
		server.emit('/second', 'message', 'from second')
		await until(() => text('message') === 'from second', 'an event of the new stream')
		expect(server.seen.get('/first')).toHaveLength(1)
	})

	it('reconnects when request options change', async () => {
		const { rerender } = render(SourceHarness, { url: server.url + '/opts', options: { headers: { 'x-room': '1' } } })
		await until(() => server.open('/opts') === 1, 'the first stream')
		await rerender({ url: server.url + '/opts', options: { headers: { 'x-room': '2' } } })
		await until(() => server.seen.get('/opts')?.length === 2, 'a second request')
		expect(server.seen.get('/opts')!.map((r) => r.headers.get('x-room'))).toEqual(['1', '2'])
		await until(() => server.stopped.get('/opts') === 1, 'the first stream to end')
	})

	it('pauses and resumes with the paused prop', async () => {
		const { rerender } = render(SourceHarness, { url: server.url + '/p' })
		await until(() => server.open('/p') === 1, 'the stream')
		await rerender({ url: server.url + '/p', paused: true })
		await until(() => server.stopped.get('/p') === 1, 'the pause to end the stream')
		expect(text('closed')).toBe('closed')
		await rerender({ url: server.url + '/p', paused: false })
		await until(() => server.open('/p') === 1 && text('status') === 'open', 'the resumed stream')
	})

	it('closes the stream on unmount', async () => {
		const { unmount } = render(SourceHarness, { url: server.url + '/u' })
		await until(() => server.open('/u') === 1, 'the stream')
		unmount()
		await until(() => server.stopped.get('/u') === 1, 'the unmount to end the stream')
		expect(server.open('/u')).toBe(0)
	})

	it('uses a given source and leaves it open on unmount', async () => {
		const source = new Source(server.url + '/given')
		source.connect()
		const { unmount } = render(SourceHarness, { source })
		await until(() => text('status') === 'open', 'the given source open')
		server.emit('/given', 'message', 'shared')
		await until(() => text('message') === 'shared', 'an event of the given source')
		unmount()
		await new Promise((resolve) => setTimeout(resolve, 100))
		expect(server.stopped.get('/given')).toBeUndefined()
		expect(source.status).toBe('open')
		source.close()
	})
})

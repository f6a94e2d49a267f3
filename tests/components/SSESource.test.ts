import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { Source } from '../../src/lib/index.js'
import SourceHarness from './fixtures/SourceHarness.svelte'
import NoticeHarness from './fixtures/NoticeHarness.svelte'
import { endpoints, type Endpoints } from '../client/server.js'
import { until } from '../helpers/wait.js'

let server: Endpoints
beforeEach(async () => {
	server = await endpoints({
		'/denied': (_request, { count, stream }) => (count === 1 ? new Response('no', { status: 401 }) : stream()),
		'/empty': () => new Response(null, { status: 204 }),
		'/busy': (_request, { count, stream }) => (count === 1 ? new Response('busy', { status: 503 }) : stream()),
		'/ids': (request, { stream }) => stream((emit) => emit('message', `after ${request.headers.get('last-event-id')}`, { id: 'seven' })),
		'/down': () => new Response('down', { status: 503 }),
		'/forbidden': () => new Response('no', { status: 403 })
	})
})
afterEach(async () => {
	cleanup()
	vi.restoreAllMocks()
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

	it('renders no element of its own, nor does Select', async () => {
		const { container } = render(SourceHarness, { url: server.url + '/bare' })
		await until(() => text('status') === 'open', 'children with status open')
		server.emit('/bare', 'message', 'hello')
		await until(() => text('message') === 'hello', 'the message')
		// exactly the harness's snippets' own elements, side by side at the top
		expect([...container.children].map((element) => element.outerHTML)).toEqual([
			'<p data-testid="status">open</p>',
			'<p data-testid="message">hello</p>'
		])
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

	it('retry reconnects at once while a reconnect is waiting', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(1)
		render(SourceHarness, { url: server.url + '/busy', options: { reconnect: { initialDelay: 60_000 } } })
		await until(() => text('error'), 'the error snippet')
		expect(text('error')).toContain('503')
		await fireEvent.click(screen.getByRole('button', { name: 'retry' }))
		await until(() => text('status') === 'open', 'the stream after retry')
		expect(server.seen.get('/busy')).toHaveLength(2)
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

	it("keeps a child's selection working when the url or the headers change", async () => {
		const { rerender } = render(NoticeHarness, { url: server.url + '/one', token: 'a' })
		await until(() => server.open('/one') === 1, 'the first stream')
		server.emit('/one', 'notice', 'first', '1')
		await until(() => text('notice') === 'first', 'the first notice')
		// a fresh token: the same stream, resumed
		await rerender({ url: server.url + '/one', token: 'b' })
		await until(() => server.seen.get('/one')?.length === 2 && server.open('/one') === 1, 'the resumed stream')
		expect(server.seen.get('/one')![1]!.headers.get('last-event-id')).toBe('1')
		server.emit('/one', 'notice', 'second')
		await until(() => text('notice') === 'second', 'a notice after the new headers')
		// another url
		await rerender({ url: server.url + '/two', token: 'b' })
		await until(() => server.open('/two') === 1, 'the new stream')
		server.emit('/two', 'notice', 'third')
		await until(() => text('notice') === 'third', 'a notice from the new url')
		expect(server.open('/one')).toBe(0)
	})

	it('reconnects when request options change', async () => {
		const { rerender } = render(SourceHarness, { url: server.url + '/opts', options: { headers: { 'x-room': '1' } } })
		await until(() => server.open('/opts') === 1, 'the first stream')
		await rerender({ url: server.url + '/opts', options: { headers: { 'x-room': '2' } } })
		await until(() => server.seen.get('/opts')?.length === 2, 'a second request')
		expect(server.seen.get('/opts')!.map((r) => r.headers.get('x-room'))).toEqual(['1', '2'])
		await until(() => server.stopped.get('/opts') === 1, 'the first stream to end')
	})

	it('does not reconnect when a prop that is not part of the request changes', async () => {
		const { rerender } = render(SourceHarness, { url: server.url + '/steady' })
		await until(() => server.open('/steady') === 1 && text('status') === 'open', 'the stream')
		await rerender({ url: server.url + '/steady', snippets: ['error'] })
		await rerender({ url: server.url + '/steady', snippets: ['error', 'closed'] })
		await new Promise((resolve) => setTimeout(resolve, 100))
		expect(server.seen.get('/steady')).toHaveLength(1)
		expect(server.stopped.get('/steady')).toBeUndefined()
	})

	it('reconnects with the new body and method, and resumes only the same request', async () => {
		const url = server.url + '/ids'
		const { rerender } = render(SourceHarness, { url, options: { headers: { 'x-token': 'a' } } })
		await until(() => text('message') === 'after null', 'the first event')
		// new headers, same request: resumes from the last event id
		await rerender({ url, options: { headers: { 'x-token': 'b' } } })
		await until(() => text('message') === 'after seven', 'the resumed stream')
		// a new method and body is another stream: it starts afresh
		await rerender({ url, options: { headers: { 'x-token': 'b' }, method: 'POST', body: { room: 2 } } })
		await until(() => server.seen.get('/ids')?.length === 3, 'the third request')
		const third = server.seen.get('/ids')![2]!
		expect([third.method, third.body, third.headers.get('last-event-id')]).toEqual(['POST', '{"room":2}', null])
		await until(() => text('message') === 'after null', 'the new stream')
		// a new reconnect policy is a new source too, resuming the same stream
		await rerender({ url, options: { headers: { 'x-token': 'b' }, method: 'POST', body: { room: 2 }, reconnect: false } })
		await until(() => server.seen.get('/ids')?.length === 4, 'the fourth request')
		expect(server.seen.get('/ids')![3]!.headers.get('last-event-id')).toBe('seven')
		// a new lastEventId prop says where to start: it wins over the last source's
		await rerender({ url, options: { headers: { 'x-token': 'b' }, method: 'POST', body: { room: 2 }, reconnect: false, lastEventId: 'two' } })
		await until(() => server.seen.get('/ids')?.length === 5, 'the fifth request')
		expect(server.seen.get('/ids')![4]!.headers.get('last-event-id')).toBe('two')
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

	it('pauses a given source and gives it back lazy, not kept open', async () => {
		const source = new Source(server.url + '/given-paused')
		const { rerender, unmount } = render(SourceHarness, { source })
		await until(() => server.open('/given-paused') === 1, 'the stream, opened by reading')
		await rerender({ source, paused: true })
		await until(() => server.stopped.get('/given-paused') === 1, 'the pause to end the stream')
		await rerender({ source, paused: false })
		await until(() => server.open('/given-paused') === 1, 'the resumed stream')
		unmount()
		await until(() => server.stopped.get('/given-paused') === 2, 'the stream to end with its last reader')
		expect(source.status).toBe('idle')
	})

	it.each([
		['/down', '503: waits 400 ms', 3],
		['/forbidden', '403: does not reconnect', 2]
	])('resumed after a failure, reconnects as the policy says, not at every error (%s, %s)', async (path, _, most) => {
		// a fixed delay, so that the count is exact: the default policy's jitter may draw a wait near 0
		// (its first attempts once made 5 requests in this time); one function, so that it is one policy
		const options = { reconnect: () => 400 }
		const { rerender } = render(SourceHarness, { url: server.url + path, options })
		await until(() => text('error'), 'the error snippet')
		await rerender({ url: server.url + path, paused: true, options })
		await rerender({ url: server.url + path, paused: false, options })
		// the request on resume, then one 400 ms later; the next would come after 800 ms
		await new Promise((resolve) => setTimeout(resolve, 600))
		// before: each failure reran the component's effect, which reconnected at once, for ever on a 4xx
		expect(server.seen.get(path)!.length).toBe(most)
	})

	it('gives back a given source it paused when it unmounts paused: its other readers open it again', async () => {
		const source = new Source(server.url + '/given-unmounted')
		const { unmount } = render(SourceHarness, { source, paused: true })
		await new Promise((resolve) => setTimeout(resolve, 50))
		expect(server.seen.get('/given-unmounted')).toBeUndefined()
		unmount()
		// another reader of the same source
		const stop = source.select().subscribe(() => {})
		try {
			await until(() => server.open('/given-unmounted') === 1, 'the stream, opened by its other reader')
		} finally {
			stop()
		}
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

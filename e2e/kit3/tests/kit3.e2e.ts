/**
 * svelte-sse installed from its npm pack tarball into a SvelteKit 3 app (adapter-node, Node 22):
 * produce() with ids, a channel, Source with getters, listen, <SSESource> and <Select>, and a
 * channel as the source of kit's own query.live.
 */
import { expect, test, type Page } from '@playwright/test'

/** 1, 2, … n as the page shows them. */
const upTo = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1))

/** Fails the test on any error the page throws. */
function watchErrors(page: Page): string[] {
	const errors: string[] = []
	page.on('pageerror', (error) => errors.push(error.message))
	return errors
}

/** The numbers shown in `.numbers` once there are at least `n`. */
async function numbers(page: Page, n: number): Promise<string[]> {
	const output = page.locator('section[aria-label="source"] .numbers')
	await expect.poll(async () => (await output.textContent())!.split(' ').filter(Boolean).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(n)
	return (await output.textContent())!.split(' ')
}

let counter = 0
const roomName = () => `room-${process.pid}-${Date.now()}-${++counter}`

test('runs on SvelteKit 3 and Node 22, with svelte-sse from the tarball', async ({ request }) => {
	const runtime = (await (await request.get('/runtime')).json()) as { node: string; kit: string }
	expect(runtime.kit).toMatch(/^3\./)
	expect(runtime.node).toMatch(/^22\./)
})

test.describe('Source with getters', () => {
	test('receives events and resumes by Last-Event-ID after each reconnect', async ({ page }) => {
		const errors = watchErrors(page)
		await page.goto('/')
		const source = page.locator('section[aria-label="source"]')
		// the server ends its stream every 3 events; each reconnect resumes after the last id
		const seen = await numbers(page, 10)
		expect(seen).toEqual(upTo(seen.length))
		await expect(source.locator('.resumed')).toHaveText(/^3 6 9( \d+)*$/)
		// the header from the options getter went with every request
		await expect(source.locator('.hello')).toHaveText('kit3')
		expect(errors).toEqual([])
	})

	test('moves to a new url when its getter changes, starting afresh', async ({ page }) => {
		const errors = watchErrors(page)
		await page.goto('/')
		const source = page.locator('section[aria-label="source"]')
		await numbers(page, 4)
		await source.getByRole('button', { name: 'Restart' }).click()
		await expect(source.locator('.url')).toHaveText('/count?stream=second')
		// a new stream: no Last-Event-ID on its first request, so it counts from 1 again
		const seen = await numbers(page, 7)
		expect(seen).toEqual(upTo(seen.length))
		await expect(source.locator('.resumed')).toHaveText(/^3 6( \d+)*$/)
		expect(errors).toEqual([])
	})
})

test('<SSESource> and <Select> render events, and carry on past a reconnect', async ({ page }) => {
	const errors = watchErrors(page)
	await page.goto('/')
	const components = page.locator('section[aria-label="components"]')
	// this stream ends every 4 events: a number past 8 came after two resumed reconnects
	await expect
		.poll(async () => Number(await components.locator('.n').textContent().catch(() => '0')), { timeout: 10_000 })
		.toBeGreaterThan(8)
	// and <Select event="resumed"> shows the Last-Event-ID of the latest reconnect: a multiple of 4
	const resumed = Number(await components.locator('.resumed').textContent())
	expect(resumed).toBeGreaterThanOrEqual(8)
	expect(resumed % 4).toBe(0)
	expect(errors).toEqual([])
})

test.describe('channel', () => {
	test('renders the latest message, replays what was published before the stream opened, then goes live', async ({ page, request }) => {
		const errors = watchErrors(page)
		const room = roomName()
		const publish = (text: string) => request.post(`/room/${room}/stream`, { data: { text } })
		expect((await publish('one')).ok()).toBe(true)

		// hold the page's stream back until 'two' is published: it must come from the replay after
		// the id the page rendered ('one'), with nothing twice
		let release!: () => void
		const released = new Promise<void>((resolve) => (release = resolve))
		await page.route(`**/room/${room}/stream`, async (route) => {
			await released
			await route.continue()
		})
		await page.goto(`/room/${room}`)
		const messages = page.locator('.messages li')
		await expect(messages).toHaveText(['one'])
		expect((await publish('two')).ok()).toBe(true)
		release()
		await expect(messages).toHaveText(['one', 'two'])
		await expect(page.locator('.status')).toHaveText('open')

		// live: a message sent from the page reaches its own stream
		await page.getByRole('textbox', { name: 'message' }).fill('three')
		await page.getByRole('button', { name: 'Send' }).click()
		await expect(messages).toHaveText(['one', 'two', 'three'])
		expect(errors).toEqual([])
	})

	test('feeds a query.live through an async iterable of its events', async ({ page, request }) => {
		const errors = watchErrors(page)
		const room = roomName()
		const publish = (text: string) => request.post(`/room/${room}/stream`, { data: { text } })
		expect((await publish('before')).ok()).toBe(true)
		await page.goto(`/live/${room}`)
		await expect(page.locator('.latest')).toHaveText('before')
		await expect(page.locator('.connected')).toHaveText('true')
		expect((await publish('after')).ok()).toBe(true)
		await expect(page.locator('.latest')).toHaveText('after')
		expect(errors).toEqual([])
	})
})

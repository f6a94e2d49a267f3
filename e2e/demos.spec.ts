import { expect, test, type Page } from '@playwright/test'
import { expectTicking, nav, open, textsWhen, TIME } from './site'

test.describe('clock', () => {
	test('renders a time on the server, then ticks every second', async ({ page, request }) => {
		const html = await (await request.get('/demos/clock', { headers: { accept: 'text/html' } })).text()
		// the selection's `initial` value is in the server-rendered HTML
		expect(html).toMatch(/<time[^>]*datetime="\d{4}-\d\d-\d\dT[^"]+"[^>]*>\d\d:\d\d:\d\d/)
		await open(page, '/demos/clock')
		await expectTicking(page, 'Clock demo')
	})

})

test.describe('resume', () => {
	test('a restart of the server side loses no event and repeats none', async ({ page, request }) => {
		await open(page, '/demos/resume')
		const live = page.getByRole('region', { name: 'Resume demo' })
		await expect(live.locator('.status-value')).toHaveText('open')
		await expect.poll(async () => Number(await live.locator('.received').textContent())).toBeGreaterThan(2)
		const before = await live.locator('.last-id').textContent()
		await live.getByRole('button', { name: 'Restart the server side' }).click()
		await expect(live.locator('.event-note')).toContainText(/The server ended \d+ streams?\./)
		await expect(live.locator('.reconnections')).toHaveText('1', { timeout: 5_000 })
		await expect(live.locator('.event-note')).toContainText('Resumed after id')
		const after = Number(await live.locator('.received').textContent())
		await expect.poll(async () => Number(await live.locator('.received').textContent())).toBeGreaterThan(after + 2)
		await expect(live.locator('.missed')).toHaveText('0')
		await expect(live.locator('.repeated')).toHaveText('0')
		// newest first: each count is one less than the one before it
		const counts = (await live.getByRole('list', { name: 'Counts received, newest first' }).locator('li').allTextContents()).map(Number)
		expect(counts.length).toBeGreaterThan(3)
		for (let index = 1; index < counts.length; index++) expect(counts[index - 1]! - counts[index]!).toBe(1)
		expect(await live.locator('.last-id').textContent()).not.toBe(before)
		const restarted = await request.post('/demos/resume')
		expect(typeof ((await restarted.json()) as { ended: unknown }).ended).toBe('number')
	})
})

test.describe('progress', () => {
	test('runs the job to 100% and shows done, then can run again', async ({ page }) => {
		await open(page, '/demos/progress')
		const live = page.getByRole('region', { name: 'Progress demo' })
		const bar = live.getByRole('progressbar', { name: 'Job progress' })
		const phase = live.locator('.status .pill')
		await expect(phase).toHaveText('idle')
		await expect(bar).toHaveAttribute('value', '0')

		await live.getByRole('button', { name: 'Start job' }).click()
		await expect(phase).toHaveText('running')
		// it moves through the middle, not straight from 0 to 100
		await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThan(0)
		expect(Number(await bar.getAttribute('value'))).toBeLessThan(100)
		await expect(live.getByRole('button', { name: 'Run again' })).toBeDisabled()

		await expect(phase).toHaveText('done', { timeout: 10_000 })
		await expect(bar).toHaveAttribute('value', '100')
		await expect(bar).toHaveAttribute('aria-valuetext', '100%')
		await expect(live.locator('.status')).toContainText(/Done in \d+\.\d s/)

		// a second run starts from zero on a new stream
		await live.getByRole('button', { name: 'Run again' }).click()
		await expect(phase).toHaveText('running')
		await expect(phase).toHaveText('done', { timeout: 10_000 })
	})
})

test.describe('token stream', () => {
	test('streams the answer token by token and completes', async ({ page }) => {
		await open(page, '/demos/tokens')
		const live = page.getByRole('region', { name: 'Token stream demo' })
		const phase = live.locator('.status .pill')
		const answer = live.getByRole('group', { name: 'Answer' })
		const count = live.getByText(/^\d+ tokens$/)

		await live.getByLabel('Prompt').fill('What is <SSE> & why?')
		// the answer and the count as the prompt comes back, read in the page at that moment: read
		// after the assertion below, they could be up to a poll interval (or a stall) further on
		const asked = await textsWhen(live, 'You asked: "What is <SSE> & why?"', ['[role="group"][aria-label="Answer"]', '.status .num'])
		await live.getByRole('button', { name: 'Ask' }).click()
		await expect(phase).toHaveText('streaming')
		// the prompt went to the server as JSON and comes back, as text, in the first tokens
		await expect(answer).toContainText('You asked: "What is <SSE> & why?"')
		// partial: the end has not arrived yet
		const [partial, counted] = await asked()
		expect(partial).not.toContain('ends the stream.')
		expect(Number(counted!.split(' ')[0])).toBeLessThan(40)

		await expect(phase).toHaveText('done', { timeout: 10_000 })
		await expect(answer).toContainText('When the answer is complete, the server says so and ends the stream.')
		// one token per word, none dropped or doubled
		const words = (await answer.textContent())!.trim().split(/\s+/).length
		await expect(count).toHaveText(`${words} tokens`)
		await expect(live.getByRole('button', { name: 'Ask' })).toBeEnabled()
	})

	test('refuses a missing or overlong prompt with 400', async ({ request }) => {
		expect((await request.post('/demos/tokens', { data: {} })).status()).toBe(400)
		expect((await request.post('/demos/tokens', { data: { prompt: 'x'.repeat(201) } })).status()).toBe(400)
		expect((await request.post('/demos/tokens', { data: '{"prompt":', headers: { 'content-type': 'application/json' } })).status()).toBe(400)
	})
})

test.describe('schema validation', () => {
	test('shows the valid value and the error of an invalid one', async ({ page }) => {
		await open(page, '/demos/schema')
		const live = page.getByRole('region', { name: 'Schema validation demo' })
		const quote = live.getByRole('group', { name: 'Latest valid tick' })
		await expect(quote.locator('.symbol')).toHaveText(/^(ACME|GLOBEX|INITECH)$/)
		await expect(quote.locator('.price')).toHaveText(/^\d+\.\d\d$/)
		// every third tick is invalid: the error arrives within a few seconds
		await expect(live.getByRole('group', { name: 'Last validation error' })).toContainText('The data does not match the schema', {
			timeout: 10_000
		})
		await expect(live.locator('.rejected')).not.toHaveText('0')
		// an invalid tick never replaces the valid value
		await expect(quote.locator('.price')).toHaveText(/^\d+\.\d\d$/)
		// and valid ones keep coming after it
		const accepted = Number(await live.locator('.accepted').textContent())
		await expect.poll(async () => Number(await live.locator('.accepted').textContent())).toBeGreaterThan(accepted)
	})
})

test.describe('chat room', () => {
	test('a message sent in one window appears in both, repeats included', async ({ context }) => {
		const a = await context.newPage()
		const b = await context.newPage()
		await open(a, '/demos/chat')
		await open(b, '/demos/chat')
		for (const page of [a, b]) {
			await expect(page.locator('.status .pill')).toHaveText('open')
			// the cleanup removes closed streams, so exactly these two are in the room
			await expect(page.locator('.status')).toContainText('2 here')
		}
		const log = (page: Page) => page.getByRole('list', { name: 'Messages' })
		const send = async (page: Page, text: string) => {
			await page.getByRole('textbox', { name: 'Message' }).fill(text)
			await page.getByRole('button', { name: 'Send' }).click()
			await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('')
		}

		const hello = `hello from A ${Date.now()}`
		await send(a, hello)
		await expect(log(a).getByText(hello)).toHaveCount(1)
		await expect(log(b).getByText(hello)).toHaveCount(1)

		// the same text twice is two messages, in both windows
		const again = `same again ${Date.now()}`
		await send(b, again)
		await send(b, again)
		await expect(log(a).getByText(again)).toHaveCount(2)
		await expect(log(b).getByText(again)).toHaveCount(2)

		// markup arrives as text
		await send(a, '<b>not bold</b>')
		await expect(log(b).getByText('<b>not bold</b>')).toHaveCount(1)
		await expect(log(b).locator('b')).toHaveCount(0)

		// leaving the room removes the stream from the server's set
		await b.close()
		await expect(a.locator('.status')).toContainText('1 here')
	})

	test('refuses empty, overlong and malformed messages with 400', async ({ page, request }) => {
		expect((await request.post('/demos/chat', { data: { text: '' } })).status()).toBe(400)
		expect((await request.post('/demos/chat', { data: { text: 'x'.repeat(281) } })).status()).toBe(400)
		expect((await request.post('/demos/chat', { data: { text: 'hi', name: 42 } })).status()).toBe(400)
		expect((await request.post('/demos/chat', { data: '{', headers: { 'content-type': 'application/json' } })).status()).toBe(400)

		// and the page shows the server's reason (the input's maxlength is bypassed on purpose)
		await open(page, '/demos/chat')
		await page.getByRole('textbox', { name: 'Message' }).evaluate((input: HTMLInputElement) => input.removeAttribute('maxlength'))
		await page.getByRole('textbox', { name: 'Message' }).fill('y'.repeat(300))
		await page.getByRole('button', { name: 'Send' }).click()
		await expect(page.getByRole('alert')).toHaveText('A message has at most 280 characters.')
	})
})

test.describe('components', () => {
	test('<SSESource> and <Select> render live, pause into the closed snippet and resume', async ({ page }) => {
		await open(page, '/docs/components')
		const clock = page.locator('.live').first()
		const time = clock.locator('strong.num')
		await expect(time).toHaveText(TIME)
		await expect(clock).toContainText('UTC · open')
		const first = (await time.textContent())!
		await expect(time).not.toHaveText(first, { timeout: 5_000 })

		await clock.getByRole('button', { name: 'Pause' }).click()
		await expect(clock.getByText('Paused.')).toBeVisible()
		await expect(time).toHaveCount(0)
		await clock.getByRole('button', { name: 'Resume' }).click()
		await expect(time).toHaveText(TIME)

		// the schema example: valid ticks through children, invalid ones through the error snippet
		const ticks = page.locator('.live').nth(1)
		await expect(ticks.getByText(/^(ACME|GLOBEX|INITECH) \d+\.\d\d/)).toBeVisible()
		await expect(ticks.locator('.error-text')).toContainText('does not match the schema', { timeout: 10_000 })
	})
})

test.describe('home page', () => {
	test('is about three screens on a desktop: one sentence, one live demo, three ways, the recipes', async ({ page }) => {
		await page.setViewportSize({ width: 1280, height: 900 })
		await open(page, '/')
		// no more than three screens
		expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(3 * 900)
		// what it is, in one sentence, with nothing about connection limits
		const lead = (await page.locator('.hero .lead').textContent())!.replace(/\s+/g, ' ').trim()
		expect(lead.split(/(?<=\.)\s/)).toHaveLength(1)
		expect(await page.locator('main').textContent()).not.toMatch(/HTTP\/1\.1|six connections/i)
		// one live demo, and it is the clock
		await expect(page.locator('main section.live')).toHaveCount(1)
		await expectTicking(page, 'Clock demo')
		// beside its code: the server route and the component that runs
		const files = page.getByRole('region', { name: 'Clock demo' }).locator('xpath=..').locator('figure.code figcaption .name')
		await expect(files).toHaveText(['src/routes/(site)/demos/clock/+server.ts', 'src/routes/(site)/ui/home/Clock.svelte'])
		// the three ways: a class, a store, the components, each in code
		for (const [way, code] of [
			['A class', 'new Source'],
			['A store', '$tick'],
			['Components', '<SSESource']
		] as const) {
			const section = page.getByRole('region', { name: way, exact: true })
			await expect(section.locator('pre.shiki')).toContainText(code)
		}
	})

	test('links to every recipe page of nav.ts, and each link works', async ({ page }) => {
		await open(page, '/')
		const recipes = nav.find((group) => group.title === 'Recipes')!.pages
		const links = page.getByRole('region', { name: /^Recipes/ }).getByRole('link')
		await expect(links).toHaveCount(recipes.length)
		for (const [index, recipe] of recipes.entries()) {
			await expect(links.nth(index)).toHaveAttribute('href', recipe.href)
			await expect(links.nth(index).locator('strong')).toHaveText(recipe.title)
		}
		await links.filter({ hasText: 'Chat room' }).click()
		await expect(page).toHaveURL(/\/demos\/chat$/)
		await expect(page.getByRole('region', { name: 'Chat demo' }).locator('.status .pill')).toHaveText('open')
	})

	test('the clock pauses far off screen and ticks again when scrolled back', async ({ page }) => {
		await page.setViewportSize({ width: 1280, height: 900 })
		await open(page, '/')
		await expectTicking(page, 'Clock demo')
		const label = page.getByRole('region', { name: 'Clock demo' }).locator('.live-label')
		await page.locator('footer').scrollIntoViewIfNeeded()
		await expect(label).toHaveText('Paused', { timeout: 5_000 })
		await page.getByRole('region', { name: 'Clock demo' }).scrollIntoViewIfNeeded()
		await expect(label).toHaveText('Live')
		await expectTicking(page, 'Clock demo')
	})
})

/**
 * What each demo page does when used: start a job, ask, kill a stream. Text that changes inside a
 * demo (a status word, the caret after the streamed answer) is the demo working; anything else
 * that moves is a layout shift. A node already removed is unknown, let through only when tiny.
 * The frame around the page (header, sidebar) is measured by pages.spec.ts, on every page.
 */
const USE: Record<string, (page: Page) => Promise<void>> = {
	'/demos/progress': (page) => page.getByRole('region', { name: 'Progress demo' }).getByRole('button', { name: 'Start job' }).click(),
	'/demos/tokens': (page) => page.getByRole('region', { name: 'Token stream demo' }).getByRole('button', { name: 'Ask' }).click(),
	'/demos/reconnect': (page) => page.getByRole('region', { name: 'Reconnect playground' }).getByRole('button', { name: 'Kill stream' }).click()
}

for (const width of [1280, 375]) {
	test(`nothing moves while the demos stream and are used, at ${width}px`, async ({ page }) => {
		test.setTimeout(120_000)
		await page.setViewportSize({ width, height: 800 })
		const demos = nav.find((group) => group.title === 'Recipes')!.pages.map((recipe) => recipe.href)
		const moved: string[] = []
		for (const path of demos) {
			const response = await page.goto(path)
			if (response?.status() === 404) continue // a recipe not written yet: the page tests report it
			await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
			await page.evaluate(() => {
				type Shift = PerformanceEntry & { value: number; hadRecentInput: boolean; sources: { node?: Node | null }[] }
				const found: string[] = ((window as unknown as { moved: string[] }).moved = [])
				new PerformanceObserver((list) => {
					for (const entry of list.getEntries() as Shift[]) {
						if (entry.hadRecentInput) continue
						const nodes = entry.sources
							.map(({ node }) => node)
							// the page's own content; the frame around it (header, sidebar) is held to the
							// per-page budget of pages.spec.ts instead, from first paint, on every page
							.filter((node) => !node || node.parentElement?.closest('main') || (node as Element).closest?.('main'))
							.filter((node) => (node ? !(node.parentElement?.closest('.live') && (node.nodeType === Node.TEXT_NODE || (node as Element).matches('.caret'))) : entry.value >= 0.001))
							.map((node) => (node instanceof Element ? `<${node.localName} class="${node.className}">` : String(node?.nodeName)))
						if (nodes.length > 0) found.push(`${entry.value.toFixed(4)}: ${nodes.join(', ')}`)
					}
				}).observe({ type: 'layout-shift', buffered: true })
			})
			await USE[path]?.(page)
			// long enough for a few events of each
			await page.waitForTimeout(3_000)
			moved.push(...(await page.evaluate(() => (window as unknown as { moved: string[] }).moved)).map((shift) => `${path} ${shift}`))
		}
		expect(moved).toEqual([])
	})
}

/**
 * `share: true`: the tabs of one browser that read the same stream hold one connection between
 * them, and hand it over without losing or repeating an event when the tab that holds it closes.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { open } from './site'

const streams = async (page: Page) => ((await (await page.request.get('/demos/shared/streams')).json()) as { streams: number }).streams

const number = async (page: Page, name: string) => Number(await page.getByRole('region', { name: 'Shared across tabs demo' }).locator(`.${name}`).textContent())

async function pages(context: BrowserContext, count: number): Promise<Page[]> {
	const opened: Page[] = []
	for (let index = 0; index < count; index++) {
		const page = await context.newPage()
		await open(page, '/demos/shared')
		opened.push(page)
	}
	return opened
}

test.describe('sharing a stream across tabs', () => {
	test('four tabs hold one stream, and another tab takes over when the leader closes', async ({ browser }) => {
		const context = await browser.newContext()
		try {
			const [leader, ...others] = await pages(context, 4)
			// every tab receives, through the one stream the server counts
			for (const page of [leader!, ...others]) await expect.poll(() => number(page, 'received')).toBeGreaterThan(3)
			await expect.poll(() => streams(leader!)).toBe(1)

			const before = await Promise.all(others.map((page) => number(page, 'received')))
			await leader!.close()
			// another tab leads within 2 s: the server again counts one stream
			await expect.poll(() => streams(others[0]!), { timeout: 2_000 }).toBe(1)
			for (const [index, page] of others.entries()) {
				await expect.poll(() => number(page, 'received')).toBeGreaterThan(before[index]! + 4)
				// none missed, none twice, across the handover
				expect(await number(page, 'gaps')).toBe(0)
				expect(await number(page, 'repeats')).toBe(0)
			}
			// and the tabs agree on where they are (read again until they do: each tab's number moves
			// every 250 ms, and three tabs are three reads, which a loaded machine can spread apart)
			const spread = async () => {
				const last = await Promise.all(others.map((page) => number(page, 'last')))
				return Math.max(...last) - Math.min(...last)
			}
			await expect.poll(spread).toBeLessThanOrEqual(1)
			await expect.poll(() => streams(others[0]!)).toBe(1)
		} finally {
			await context.close()
		}
	})

	test('ten tabs stay responsive: their ordinary requests complete', async ({ browser }) => {
		const context = await browser.newContext()
		try {
			const tabs = await pages(context, 10)
			for (const page of tabs) {
				// a plain fetch from each tab, beside the stream: with ten unshared streams over
				// HTTP/1.1 it would wait for one of the six connections of the site
				const status = await page.evaluate(async () => (await fetch('/demos/shared/streams', { cache: 'no-store' })).status)
				expect(status).toBe(200)
				await expect.poll(() => number(page, 'received')).toBeGreaterThan(0)
			}
			await expect.poll(() => streams(tabs[0]!)).toBe(1)
		} finally {
			await context.close()
		}
	})
})

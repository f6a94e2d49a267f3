/**
 * `share: true` with a url getter (projects "app-preview" and "app-node"): a tab that moves to
 * another url leaves the stream it shared and shares the other one.
 */
import { expect, test, type Page } from '@playwright/test'

const open = async (page: Page) => (await (await page.request.get('/rooms/open')).json()) as Record<string, number>

test('a tab whose url getter changes moves to the other shared stream', async ({ browser }) => {
	const context = await browser.newContext()
	try {
		const [first, second] = [await context.newPage(), await context.newPage()]
		for (const page of [first!, second!]) {
			await page.goto('/shared-rooms')
			await expect(page.locator('.tick')).toHaveText(/^a \d+$/)
		}
		// two tabs in room a: one stream
		await expect.poll(() => open(first!)).toMatchObject({ a: 1 })
		await first!.getByRole('button', { name: 'switch' }).click()
		await expect(first!.locator('.tick')).toHaveText(/^b \d+$/)
		// one stream per room: the first tab leads room b, the second holds room a on its own
		await expect.poll(() => open(first!)).toMatchObject({ a: 1, b: 1 })
		const before = await second!.locator('.tick').textContent()
		await expect(second!.locator('.tick')).not.toHaveText(before!)
		await expect(second!.locator('.tick')).toHaveText(/^a \d+$/)
		// back to room a: both tabs share its stream again, and room b's closes
		await first!.getByRole('button', { name: 'switch' }).click()
		await expect(first!.locator('.tick')).toHaveText(/^a \d+$/)
		await expect.poll(() => open(first!)).toMatchObject({ a: 1, b: 0 })
	} finally {
		await context.close()
	}
})

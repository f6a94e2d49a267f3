/**
 * `share: true`, as a follower tab sees it (projects "app-preview" and "app-node"): each tab
 * behaves as if it had its own connection, whatever the other tabs do.
 */
import { expect, test } from '@playwright/test'

test('a follower is told of the leader’s failure once, however many tabs join after it', async ({ browser }) => {
	const context = await browser.newContext()
	try {
		const tabs = []
		for (let index = 0; index < 4; index++) {
			const page = await context.newPage()
			await page.goto('/shared-denied')
			await expect(page.locator('.status')).toHaveText('closed')
			await expect(page.locator('.errors')).toHaveText('1')
			tabs.push(page)
		}
		// every tab that joined later made the leader say where it stands again: no tab took that for a new failure
		for (const page of tabs) await expect(page.locator('.errors')).toHaveText('1')
	} finally {
		await context.close()
	}
})

test('a follower that stops listening and listens again hears no event twice', async ({ browser }) => {
	const context = await browser.newContext()
	try {
		const [leader, follower] = [await context.newPage(), await context.newPage()]
		await leader!.goto('/shared-quiet')
		await expect(leader!.locator('.last')).toHaveText(/^tick \d+$/)
		await follower!.goto('/shared-quiet')
		// all ten ticks, then silence
		await expect(follower!.locator('.last')).toHaveText('tick 10', { timeout: 5_000 })
		// the tab leaves the shared stream (nothing reads its source) and joins it again
		await follower!.getByRole('button', { name: 'stop' }).click()
		await follower!.waitForTimeout(200)
		await follower!.getByRole('button', { name: 'listen' }).click()
		// the leader's snapshot for the returning tab holds tick 10, which this tab heard already
		await follower!.waitForTimeout(500)
		await expect(follower!.locator('.repeats')).toHaveText('0')
		await expect(leader!.locator('.repeats')).toHaveText('0')
	} finally {
		await context.close()
	}
})

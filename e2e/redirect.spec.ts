/**
 * Redirects in a browser (projects "app-preview" and "app-node"): fetch hides where a redirect
 * goes (an opaque redirect), so the client asks again in `same-origin` mode, and a redirect to
 * another origin fails before anything of the caller's is sent there.
 */
import { expect, test } from '@playwright/test'

const seen = async (request: import('@playwright/test').APIRequestContext) => (await (await request.get('/redirect/seen')).json()) as Array<{ host: string; apiKey: string | null }>

test.describe('redirects in the browser', () => {
	test('a redirect within the origin is followed, with the headers', async ({ page }) => {
		await page.goto('/redirected?to=here')
		await expect(page.locator('.visit')).toHaveText(/^127\.0\.0\.1:\d+ secret$/)
		await expect(page.locator('.status')).toHaveText(/open|closed/)
		await expect(page.locator('.error-kind')).toHaveText('')
	})

	test('a redirect to another origin is an error, and nothing reaches the other origin', async ({ page, request }) => {
		const before = (await seen(request)).filter((visit) => visit.host?.startsWith('localhost')).length
		await page.goto('/redirected?to=away')
		await expect(page.locator('.error-kind')).toHaveText('redirect')
		await expect(page.locator('.status')).toHaveText('closed')
		await expect(page.locator('.visit')).toHaveText('')
		expect((await seen(request)).filter((visit) => visit.host?.startsWith('localhost')).length).toBe(before)
	})

	test("redirect: 'error' refuses a redirect within the origin too", async ({ page }) => {
		await page.goto('/redirected?to=here&policy=error')
		await expect(page.locator('.error-kind')).toHaveText('redirect')
		await expect(page.locator('.visit')).toHaveText('')
	})
})

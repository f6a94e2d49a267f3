import { spawn } from 'node:child_process'
import { expect, test } from '@playwright/test'
import { open } from './site'

test('a missing page shows the site error page with status 404', async ({ page }, testInfo) => {
	const response = await page.goto('/docs/no-such-page')
	expect(response?.status()).toBe(404)
	await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
	// inside the site's layout
	await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Getting started' })).toBeVisible()
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found')
	await expect(page.locator('main .status-code')).toHaveText('404')
	await expect(page.locator('main .lead')).toHaveText('There is no page at /docs/no-such-page.')
	await expect(page).toHaveTitle('404 · svelte-sse')
	const shot = testInfo.outputPath('error-404.png')
	await page.screenshot({ path: shot, fullPage: true })
	await testInfo.attach('error-404.png', { path: shot, contentType: 'image/png' })

	await page.getByRole('link', { name: 'Back to the home page' }).click()
	await expect(page).toHaveURL(/\/$/)
	await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Page not found')
})

test('a link to a missing page shows the error page without reloading', async ({ page }) => {
	await open(page, '/docs/getting-started')
	await page.evaluate(() => {
		const link = Object.assign(document.createElement('a'), { href: '/demos/missing', textContent: 'missing' })
		document.querySelector('main')!.append(link)
	})
	await page.getByRole('link', { name: 'missing' }).click()
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found')
	await expect(page.locator('main')).toContainText('There is no page at /demos/missing.')
	// still the same document: the client router rendered it
	await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
})

/**
 * The e2e tests' endpoints (one floods 100 000 events) live in their own app (e2e/app). Their
 * old home under /e2e/ was gated by a prefix check that `/e2%65/` walked past.
 */
const TEST_PATHS = ['/e2e/flood/x', '/e2%65/flood/x', '/%65%32%65/flood/x', '/e2e/status/x', '/flood/x', '/status/x', '/last-event-id/x']

async function expectNoTestEndpoints(origin: string) {
	for (const path of TEST_PATHS) {
		const response = await fetch(origin + path, { headers: { accept: 'text/event-stream' } })
		expect(response.status, path).toBe(404)
		expect(response.headers.get('content-type'), path).not.toContain('text/event-stream')
		await response.body?.cancel()
	}
}

test("the docs site's build has no test endpoints, under vite preview", async ({ baseURL }) => {
	await expectNoTestEndpoints(baseURL!)
})

test("the docs site's build has no test endpoints, under adapter-node", async () => {
	const port = 4175
	const server = spawn(process.execPath, ['build'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' })
	try {
		const origin = `http://127.0.0.1:${port}`
		const deadline = Date.now() + 20_000
		for (;;) {
			try {
				if ((await fetch(origin)).ok) break
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new Error("the site's adapter-node server did not start")
			await new Promise((resolve) => setTimeout(resolve, 100))
		}
		await expectNoTestEndpoints(origin)
	} finally {
		server.kill()
	}
})

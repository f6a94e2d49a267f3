import { readFileSync } from 'node:fs'
import { expect, test, type Page, type TestInfo } from '@playwright/test'
import { open, PAGES } from './site'

async function shoot(page: Page, testInfo: TestInfo, file: string) {
	const path = testInfo.outputPath(file)
	await page.screenshot({ path, fullPage: true })
	await testInfo.attach(file, { path, contentType: 'image/png' })
}

/** How far the page scrolls sideways: 0 when nothing sticks out. */
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)

for (const [name, path] of PAGES) {
	test(`${name} (${path}): desktop and 375px screenshots, no horizontal scroll`, async ({ page }, testInfo) => {
		const errors: string[] = []
		page.on('pageerror', (error) => errors.push(error.message))
		page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))

		await page.setViewportSize({ width: 1280, height: 900 })
		await open(page, path)
		await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1)
		await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveCount(7)
		await shoot(page, testInfo, `${name}-desktop.png`)

		await page.setViewportSize({ width: 375, height: 812 })
		await open(page, path)
		expect(await sideways(page)).toBe(0)
		await shoot(page, testInfo, `${name}-375.png`)

		expect(errors).toEqual([])
	})
}

test('dark mode follows prefers-color-scheme', async ({ page }, testInfo) => {
	await page.emulateMedia({ colorScheme: 'light' })
	await open(page, '/docs/getting-started')
	const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
	await page.emulateMedia({ colorScheme: 'dark' })
	const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
	expect(dark).not.toBe(light)
	await shoot(page, testInfo, 'getting-started-dark.png')
	await open(page, '/demos/reconnect')
	await shoot(page, testInfo, 'demo-reconnect-dark.png')
})

test('the nav marks the current page', async ({ page }) => {
	await open(page, '/docs/client')
	const nav = page.getByRole('navigation', { name: 'Main' })
	await expect(nav.getByRole('link', { name: 'Client' })).toHaveAttribute('aria-current', 'page')
	await expect(nav.locator('[aria-current="page"]')).toHaveCount(1)
	await nav.getByRole('link', { name: 'Migration' }).click()
	await expect(page).toHaveURL(/\/docs\/migration$/)
	await expect(nav.getByRole('link', { name: 'Migration' })).toHaveAttribute('aria-current', 'page')
})

test('demo pages show the code that runs', async ({ page }) => {
	await open(page, '/demos/clock')
	const files = page.locator('figure.code')
	await expect(files.locator('figcaption')).toContainText(['src/routes/demos/clock/+server.ts', 'src/routes/demos/clock/Demo.svelte'])
	const shown = await files.first().locator('pre').textContent()
	// the real file, with `$lib` written as the package name
	const real = readFileSync(new URL('../src/routes/(site)/demos/clock/+server.ts', import.meta.url), 'utf8')
	expect(shown).toBe(real.replace(`'$lib/server.js'`, `'svelte-sse/server'`).trimEnd())
})

/** Export names of a module, following `export * from`. */
function exportsOf(file: URL): string[] {
	const source = readFileSync(file, 'utf8')
	const names: string[] = []
	for (const match of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
		for (const part of match[1]!.split(',')) {
			const name = part.trim().split(/\s+as\s+/).pop()!.trim()
			if (name) names.push(name)
		}
	}
	for (const match of source.matchAll(/export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|function|const|let|interface|type)\s+([A-Za-z_$][\w$]*)/g)) {
		names.push(match[1]!)
	}
	for (const match of source.matchAll(/export\s+\*\s+from\s+'([^']+)'/g)) {
		names.push(...exportsOf(new URL(match[1]!.replace(/\.js$/, '.ts'), file)))
	}
	return names
}

test('the API page documents every export of both entry points', async ({ page }) => {
	await open(page, '/docs/api')
	for (const [group, entry] of [
		['server', '../src/lib/server.ts'],
		['client', '../src/lib/index.ts']
	] as const) {
		const names = [...new Set(exportsOf(new URL(entry, import.meta.url)))]
		expect(names.length).toBeGreaterThan(5)
		const documented = await page.locator(`section[aria-labelledby="${group}"] dt`).evaluateAll((dts) => dts.map((dt) => dt.id))
		const missing = names.filter((name) => !documented.includes(`${group}-${name}`))
		expect(missing, `${entry} exports without an entry on /docs/api`).toEqual([])
	}
})

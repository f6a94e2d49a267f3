/**
 * Light and dark: the site follows the system until the reader picks a theme, keeps that choice
 * across reloads, and applies it before the first paint (src/app.html), before any of the app's
 * JavaScript has run.
 */
import { expect, test, type Page } from '@playwright/test'
import { open, shoot } from './site'

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
const toggle = (page: Page) => page.getByRole('button', { name: 'Dark theme' })

/** Whether a background color is dark, by its luminance. */
const isDark = (color: string) => {
	const [r, g, b] = color.match(/\d+/g)!.map(Number)
	return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! < 128
}

test('follows the system by default, also when the system changes', async ({ page }, testInfo) => {
	await page.emulateMedia({ colorScheme: 'light' })
	await open(page, '/docs/getting-started')
	expect(isDark(await background(page))).toBe(false)
	await expect(toggle(page)).toHaveAttribute('aria-pressed', 'false')
	await page.emulateMedia({ colorScheme: 'dark' })
	await expect.poll(async () => isDark(await background(page))).toBe(true)
	await expect(toggle(page)).toHaveAttribute('aria-pressed', 'true')
	await shoot(page, testInfo, 'getting-started-dark.png')
	// code follows too: shiki's colors are light-dark() pairs
	const keyword = page.locator('main figure.code pre span', { hasText: /^import$/ }).first()
	const dark = await keyword.evaluate((span) => getComputedStyle(span).color)
	await page.emulateMedia({ colorScheme: 'light' })
	await expect.poll(() => keyword.evaluate((span) => getComputedStyle(span).color)).not.toBe(dark)
	await open(page, '/demos/reconnect')
	await page.emulateMedia({ colorScheme: 'dark' })
	// app.html's listener switches the page on its next frame: the screenshot waits for it
	await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
	await shoot(page, testInfo, 'demo-reconnect-dark.png')
})

test('the toggle switches the theme and the choice survives a reload, whatever the system says', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'light' })
	await open(page, '/docs/client')
	const light = await background(page)
	await toggle(page).click()
	await expect(toggle(page)).toHaveAttribute('aria-pressed', 'true')
	await expect.poll(() => background(page)).not.toBe(light)
	expect(isDark(await background(page))).toBe(true)
	expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('dark')

	await page.reload()
	await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
	expect(isDark(await background(page))).toBe(true)
	await expect(toggle(page)).toHaveAttribute('aria-pressed', 'true')
	// the stored choice wins over the system
	await page.emulateMedia({ colorScheme: 'light' })
	// the page hears of the change on its next frame (media query listeners run before frame
	// callbacks): read after it, or the check would pass before app.html's listener could act
	await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
	expect(isDark(await background(page))).toBe(true)

	// choosing the system's own theme again forgets the choice: the page follows the system again
	await toggle(page).click()
	expect(isDark(await background(page))).toBe(false)
	expect(await page.evaluate(() => localStorage.getItem('theme'))).toBeNull()
	await page.emulateMedia({ colorScheme: 'dark' })
	await expect.poll(async () => isDark(await background(page))).toBe(true)
})

test('a stored light choice holds on a dark system, on other pages too', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'dark' })
	await open(page, '/')
	expect(isDark(await background(page))).toBe(true)
	await toggle(page).click()
	expect(isDark(await background(page))).toBe(false)
	expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('light')
	await open(page, '/docs/server')
	expect(isDark(await background(page))).toBe(false)
})

test('the theme is set before the first paint, without the app', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'light' })
	await open(page, '/')
	await page.evaluate(() => localStorage.setItem('theme', 'dark'))
	// none of the app's JavaScript runs: only app.html's inline script can set the theme
	await page.route('**/_app/**', (route) => route.abort())
	await page.route('**/@vite/**', (route) => route.abort())
	await page.goto('/docs/server')
	await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
	expect(isDark(await background(page))).toBe(true)
	await expect(page.locator('html[data-hydrated]')).toHaveCount(0)
})

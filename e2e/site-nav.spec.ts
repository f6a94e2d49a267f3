/**
 * The frame every page sits in: the sidebar (every page of src/routes/(site)/nav.ts, grouped),
 * the menu that holds it on a phone, "On this page", and the header's version and GitHub link.
 */
import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { nav, open } from './site'
import { pages } from '../src/routes/(site)/nav'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; repository: { url: string } }

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Main' })

test('the sidebar shows the groups and pages of nav.ts, in order', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 900 })
	await open(page, '/docs/getting-started')
	for (const group of nav) {
		const list = sidebar(page).getByRole('list', { name: group.title, exact: true })
		await expect(list.getByRole('link')).toHaveText(group.pages.map((item) => item.title))
		for (const item of group.pages) await expect(list.getByRole('link', { name: item.title, exact: true })).toHaveAttribute('href', item.href)
	}
	await expect(sidebar(page).getByRole('link')).toHaveCount(pages.length)
})

for (const width of [1280, 375]) {
	test(`every page of nav.ts is reached through the sidebar, at ${width}px`, async ({ page }) => {
		test.setTimeout(120_000)
		await page.setViewportSize({ width, height: 900 })
		await open(page, '/')
		const menu = page.getByRole('button', { name: 'Menu' })
		const missing: string[] = []
		for (const item of pages) {
			if (width < 800) {
				// on a phone the sidebar waits behind the menu button
				await expect(sidebar(page)).toBeHidden()
				await menu.click()
				await expect(menu).toHaveAttribute('aria-expanded', 'true')
			}
			const link = sidebar(page).getByRole('link', { name: item.title, exact: true })
			await link.click()
			await expect(page).toHaveURL(new RegExp(`${item.href.replace(/[/]/g, '\\/')}$`))
			// the client router rendered it: still the same document, now with the page's heading
			await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
			if ((await page.locator('main .status-code').count()) > 0) {
				missing.push(item.href)
				continue
			}
			await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1)
			if (width < 800) {
				await expect(menu).toHaveAttribute('aria-expanded', 'false')
				await menu.click()
			}
			// the link of the page shown is marked, and only it
			await expect(link).toHaveAttribute('aria-current', 'page')
			await expect(sidebar(page).locator('[aria-current="page"]')).toHaveCount(1)
			if (width < 800) await menu.click()
		}
		expect(missing, 'pages of nav.ts that answer with the error page').toEqual([])
	})
}

test('the menu opens and closes the sidebar on a phone, and Escape closes it', async ({ page }) => {
	await page.setViewportSize({ width: 375, height: 812 })
	await open(page, '/docs/client')
	const menu = page.getByRole('button', { name: 'Menu' })
	await expect(menu).toHaveAttribute('aria-expanded', 'false')
	await expect(sidebar(page)).toBeHidden()
	await menu.click()
	await expect(sidebar(page)).toBeVisible()
	// the page's sections are in the menu too, where there is no room beside the page
	await expect(page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Selection', exact: true })).toBeVisible()
	await page.keyboard.press('Escape')
	await expect(sidebar(page)).toBeHidden()
	// and on a desktop there is no menu button: the sidebar is always there
	await page.setViewportSize({ width: 1280, height: 900 })
	await expect(menu).toBeHidden()
	await expect(sidebar(page)).toBeVisible()
})

test('"On this page" lists the h2 and h3 of a long page, and follows the reading', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 900 })
	await open(page, '/docs/components')
	const contents = page.getByRole('navigation', { name: 'On this page' })
	await expect(contents).toBeVisible()
	const headings = await page.locator('main :is(h2, h3)[id]').evaluateAll((found) => found.map((heading) => ({ id: heading.id, text: heading.textContent!.trim() })))
	expect(headings.length).toBeGreaterThan(3)
	await expect(contents.getByRole('link')).toHaveText(headings.map((heading) => heading.text))
	for (const [index, heading] of headings.entries()) await expect(contents.getByRole('link').nth(index)).toHaveAttribute('href', `#${heading.id}`)
	// the first is current at the top; jumping to the last makes it current
	await expect(contents.locator('[aria-current="location"]')).toHaveText(headings[0]!.text)
	const last = headings.at(-1)!
	await contents.getByRole('link', { name: last.text, exact: true }).click()
	await expect(page).toHaveURL(new RegExp(`#${last.id}$`))
	await expect(contents.locator('[aria-current="location"]')).toHaveText(last.text)
	// the heading is not hidden under the sticky header
	const top = await page.locator(`#${last.id}`).evaluate((heading) => heading.getBoundingClientRect().top)
	const header = await page.locator('.site-header').evaluate((element) => element.getBoundingClientRect().bottom)
	expect(top).toBeGreaterThanOrEqual(header)

	// after a client-side navigation it lists the new page's headings
	// (the new page's headings are read once it is there: reading them right after the click could read the old page's)
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Getting started', exact: true }).click()
	await expect(page).toHaveURL(/\/docs\/getting-started$/)
	await expect(page.locator('main h1')).toHaveText('Getting started')
	await expect(contents.getByRole('link').first()).toHaveText(await page.locator('main h2[id]').first().textContent().then((text) => text!.trim()))
	// recipes and the home page use the whole width instead
	await open(page, '/demos/chat')
	await expect(page.getByRole('navigation', { name: 'On this page' })).toHaveCount(0)
})

test('the layout uses a desktop: sidebar, page and "On this page" fill 1280px', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 900 })
	await open(page, '/docs/client')
	const box = async (selector: string) => (await page.locator(selector).boundingBox())!
	const sidebarBox = await box('#sidebar')
	const main = await box('main')
	const contents = await box('.contents-column')
	expect(sidebarBox.x).toBeLessThan(40)
	expect(main.x).toBeGreaterThan(sidebarBox.x + sidebarBox.width)
	expect(contents.x).toBeGreaterThan(main.x + main.width)
	// the three columns reach across the window, with only margins left over
	expect(contents.x + contents.width).toBeGreaterThan(1280 - 60)
	expect(main.width).toBeGreaterThan(640)
})

test('the header shows the version from package.json and links to the repository', async ({ page }) => {
	await open(page, '/')
	const header = page.locator('header.site-header')
	await expect(header).toContainText(`v${pkg.version}`)
	await expect(header.getByRole('link', { name: 'GitHub repository' })).toHaveAttribute('href', pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, ''))
})

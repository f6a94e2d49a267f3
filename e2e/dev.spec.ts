/**
 * The docs site under `vite dev` (project "site-dev"): every page renders, its code is
 * highlighted, every demo streams, and search and the theme work.
 * The other specs run against a production build, which once hid a dev-only 500 on the home
 * page and all six demos (a glob that Vite's dev server and its build read differently).
 */
import { expect, test, type Page } from '@playwright/test'
import { expectTicking, open, PAGES, pagesOnDisk } from './site'

/** A quick proof, per demo page, that events arrive live. */
const LIVE: Record<string, (page: Page) => Promise<void>> = {
	'/demos/clock': (page) => expectTicking(page, 'Clock demo'),
	'/demos/chat': async (page) => {
		const live = page.getByRole('region', { name: 'Chat demo' })
		await expect(live.locator('.status .pill')).toHaveText('open')
		const hello = `hello from dev ${Date.now()}`
		await live.getByRole('textbox', { name: 'Message' }).fill(hello)
		await live.getByRole('button', { name: 'Send' }).click()
		// it went to the server and came back through the stream
		await expect(live.getByRole('list', { name: 'Messages' }).getByText(hello)).toHaveCount(1)
	},
	'/demos/progress': async (page) => {
		const live = page.getByRole('region', { name: 'Progress demo' })
		await live.getByRole('button', { name: 'Start job' }).click()
		await expect(live.locator('.status .pill')).toHaveText('running')
		const bar = live.getByRole('progressbar', { name: 'Job progress' })
		await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThan(0)
	},
	'/demos/tokens': async (page) => {
		const live = page.getByRole('region', { name: 'Token stream demo' })
		await live.getByRole('button', { name: 'Ask' }).click()
		await expect(live.getByRole('group', { name: 'Answer' })).toContainText('You asked: "')
	},
	'/demos/schema': async (page) => {
		const live = page.getByRole('region', { name: 'Schema validation demo' })
		await expect(live.locator('.quote .price')).toHaveText(/^\d+\.\d\d$/)
		const accepted = Number(await live.locator('.accepted').textContent())
		await expect.poll(async () => Number(await live.locator('.accepted').textContent())).toBeGreaterThan(accepted)
	},
	'/demos/resume': async (page) => {
		const live = page.getByRole('region', { name: 'Resume demo' })
		await expect(live.locator('.status-value')).toHaveText('open')
		await expect.poll(async () => Number(await live.locator('.received').textContent())).toBeGreaterThan(1)
	},
	'/demos/shared': async (page) => {
		const live = page.getByRole('region', { name: 'Shared across tabs demo' })
		await expect.poll(async () => Number(await live.locator('.received').textContent())).toBeGreaterThan(1)
	},
	'/demos/reconnect': async (page) => {
		const live = page.getByRole('region', { name: 'Reconnect playground' })
		await expect(live.locator('.status-value')).toHaveText('open')
		await expect.poll(async () => Number(await live.locator('.received').textContent())).toBeGreaterThan(2)
	},
	'/demos/dashboard': async (page) => {
		await expect(page.getByRole('region', { name: 'Dashboard demo' }).locator('.pill').first()).toHaveText('open')
	},
	// signed out, it offers the sign-in; the stream itself needs a session (its own spec signs in)
	'/demos/notifications': async (page) => {
		await expect(page.getByRole('region', { name: 'Notifications demo' }).getByRole('button').first()).toBeVisible()
	}
}

test('every page on disk is in the page list (nav.ts and the recipes index), and every demo has a live check', () => {
	const listed = PAGES.map(([, path]) => path)
	const unlisted = pagesOnDisk().filter((path) => !listed.includes(path))
	expect(unlisted, 'pages on disk that nav.ts does not list').toEqual([])
	expect(Object.keys(LIVE).sort()).toEqual(listed.filter((path) => path.startsWith('/demos/')).sort())
})

test('every page of the page list is on disk', () => {
	const missing = PAGES.map(([, path]) => path).filter((path) => !pagesOnDisk().includes(path))
	expect(missing, 'pages of nav.ts not written yet').toEqual([])
})

for (const [name, path] of PAGES) {
	test(`${name} (${path}) renders under vite dev${LIVE[path] ? ' and streams live' : ''}`, async ({ page }) => {
		const errors: string[] = []
		page.on('pageerror', (error) => errors.push(error.message))
		page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))

		const response = await page.goto(path)
		expect(response?.status(), `status of ${path}`).toBe(200)
		await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
		await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1)
		// samples are highlighted under vite dev too (the plugin runs in both)
		const blocks = page.locator('main figure.code')
		await expect(blocks.locator('pre.shiki')).toHaveCount(await blocks.count())
		await LIVE[path]?.(page)
		expect(errors).toEqual([])
	})
}

test('search works under vite dev: the index is computed on request and finds a page', async ({ page }) => {
	await open(page, '/')
	await page.keyboard.press('Control+K')
	const box = page.getByRole('combobox', { name: 'Search' })
	await box.fill('migration')
	const first = page.getByRole('listbox', { name: 'Results' }).getByRole('option').first()
	await expect(first).toContainText('Migration from sveltekit-sse')
	await page.keyboard.press('Enter')
	await expect(page).toHaveURL(/\/docs\/migration$/)
})

test('the theme is applied before the app under vite dev too', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'dark' })
	await open(page, '/docs/getting-started')
	await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
})

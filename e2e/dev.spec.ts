/**
 * The docs site under `vite dev` (project "dev"): every page renders and every demo streams.
 * The other specs run against a production build, which once hid a dev-only 500 on the home
 * page and all six demos (a glob that Vite's dev server and its build read differently).
 */
import { expect, test, type Page } from '@playwright/test'
import { expectTicking, PAGES, pagesOnDisk } from './site'

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
	}
}

test('the page list covers every page of the site, and every demo has a live check', () => {
	const listed = PAGES.map(([, path]) => path)
	expect([...listed].sort()).toEqual(pagesOnDisk())
	expect(Object.keys(LIVE).sort()).toEqual(listed.filter((path) => path.startsWith('/demos/')).sort())
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
		await LIVE[path]?.(page)
		expect(errors).toEqual([])
	})
}

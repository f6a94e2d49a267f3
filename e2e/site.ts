import { readdirSync } from 'node:fs'
import { basename, dirname, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, type Page } from '@playwright/test'

/** Opens a page of the docs site and waits until Svelte has hydrated it (buttons work). */
export async function open(page: Page, path: string): Promise<void> {
	await page.goto(path)
	await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
}

/** Every page of the site: the home page, the docs and the demos. */
export const PAGES: ReadonlyArray<readonly [name: string, path: string]> = [
	['home', '/'],
	['getting-started', '/docs/getting-started'],
	['server', '/docs/server'],
	['channels', '/docs/channels'],
	['client', '/docs/client'],
	['components', '/docs/components'],
	['migration', '/docs/migration'],
	['api', '/docs/api'],
	['demos', '/demos'],
	['demo-clock', '/demos/clock'],
	['demo-chat', '/demos/chat'],
	['demo-progress', '/demos/progress'],
	['demo-tokens', '/demos/tokens'],
	['demo-schema', '/demos/schema'],
	['demo-reconnect', '/demos/reconnect'],
	['demo-resume', '/demos/resume'],
	['demo-shared', '/demos/shared']
]

/** The URL of every `+page.svelte` of the docs site, read from disk (dynamic routes left out). */
export function pagesOnDisk(): string[] {
	const root = fileURLToPath(new URL('../src/routes/', import.meta.url))
	return readdirSync(root, { recursive: true, encoding: 'utf8' })
		.filter((file) => basename(file) === '+page.svelte' && !file.includes('['))
		.map((file) => {
			// route groups such as (site) are not part of the URL
			const segments = dirname(file).split(sep).filter((segment) => segment !== '.' && !/^\(.*\)$/.test(segment))
			return '/' + segments.join('/')
		})
		.sort()
}

export const TIME = /^\d\d:\d\d:\d\d$/

/** The clock in `region` ticks: its time changes twice (once could be the server-rendered value being replaced). */
export async function expectTicking(page: Page, region: string): Promise<void> {
	const live = page.getByRole('region', { name: region })
	const time = live.locator('time')
	await expect(live.locator('.pill')).toHaveText('open')
	await expect(time).toHaveText(TIME)
	const first = (await time.textContent())!
	await expect(time).not.toHaveText(first, { timeout: 5_000 })
	const second = (await time.textContent())!
	expect(second).toMatch(TIME)
	await expect(time).not.toHaveText(second, { timeout: 5_000 })
}

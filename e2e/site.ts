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
	['demo-reconnect', '/demos/reconnect']
]

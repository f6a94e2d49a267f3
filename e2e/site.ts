import { readdirSync } from 'node:fs'
import { basename, dirname, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test'
import { nav, pages } from '../src/routes/(site)/nav'

/** Opens a page of the docs site and waits until Svelte has hydrated it (buttons work). */
export async function open(page: Page, path: string): Promise<void> {
	await page.goto(path)
	await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
}

export { nav }

/** Pages of the site that the sidebar does not list: the recipes' index. */
const UNLISTED: ReadonlyArray<readonly [name: string, path: string]> = [['demos', '/demos']]

/** A file-name-safe name for a page: `home`, `client`, `demo-clock`. */
const nameOf = (path: string) => (path === '/' ? 'home' : path.replace(/^\/docs\//, '').replace(/^\/demos\//, 'demo-').replace(/\W+/g, '-'))

/**
 * Every page of the site: the plan in src/routes/(site)/nav.ts (so a page added there is tested
 * here), then the pages it does not list.
 */
export const PAGES: ReadonlyArray<readonly [name: string, path: string]> = [...pages.map((page) => [nameOf(page.href), page.href] as const), ...UNLISTED]

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

let watches = 0

/**
 * Reads what a live demo shows at one moment: the text of each of `selectors` inside `root`, read
 * in the page as soon as the text of `root` contains `text` (in the same task as the update that
 * brought it). Call it before the action that makes `text` appear; await the function it returns
 * once a retrying assertion has seen `text`. A one-shot read after that assertion comes up to a
 * poll interval late (more on a loaded machine), and a stream meanwhile moves the values on.
 */
export async function textsWhen(root: Locator, text: string, selectors: readonly string[]): Promise<() => Promise<string[]>> {
	const key = `__textsWhen${++watches}`
	await root.evaluate(
		(element, { key, text, selectors }) => {
			const shows = () => (element.textContent ?? '').replace(/\s+/g, ' ').includes(text)
			const read = () => selectors.map((selector) => element.querySelector(selector)?.textContent ?? '')
			const seen = new Promise<string[]>((resolve) => {
				if (shows()) return resolve(read())
				const observer = new MutationObserver(() => {
					if (!shows()) return
					observer.disconnect()
					resolve(read())
				})
				observer.observe(element, { subtree: true, childList: true, characterData: true })
			})
			Object.assign(element, { [key]: seen })
		},
		{ key, text, selectors }
	)
	return () => root.evaluate((element, key) => (element as unknown as Record<string, Promise<string[]>>)[key]!, key)
}

/** A full-page screenshot, saved in the test's output folder and attached to its report. */
export async function shoot(page: Page, testInfo: TestInfo, file: string): Promise<void> {
	const path = testInfo.outputPath(file)
	await page.screenshot({ path, fullPage: true })
	await testInfo.attach(file, { path, contentType: 'image/png' })
}

/**
 * Records layout shifts from the first paint on (call before `goto`): the Layout Instability
 * API's entries that no input caused, each with what moved. Read them with `shifts(page)`.
 */
export async function watchShifts(page: Page): Promise<void> {
	await page.addInitScript(() => {
		type Shift = PerformanceEntry & { value: number; hadRecentInput: boolean; sources: { node?: Node | null }[] }
		const found: { value: number; nodes: string[] }[] = []
		Object.assign(window, { __shifts: found })
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries() as Shift[]) {
				if (entry.hadRecentInput) continue
				const nodes = entry.sources.map(({ node }) =>
					node instanceof Element ? `<${node.localName} class="${node.className}">` : node ? `${node.nodeName} "${node.textContent?.slice(0, 30)}" in <${node.parentElement?.localName} class="${node.parentElement?.className}">` : 'a removed node'
				)
				found.push({ value: entry.value, nodes })
			}
		}).observe({ type: 'layout-shift', buffered: true })
	})
}

/** The layout shifts `watchShifts` recorded on the current page. */
export const shifts = (page: Page) => page.evaluate(() => (window as unknown as { __shifts: { value: number; nodes: string[] }[] }).__shifts)

/** The cumulative layout shift score so far: the sum of every shift (stricter than the web's session windows). */
export const cumulativeShift = async (page: Page) => (await shifts(page)).reduce((sum, shift) => sum + shift.value, 0)

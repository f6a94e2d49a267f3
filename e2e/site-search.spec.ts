/**
 * Search: an index built at build time (/search.json, from every page's source) and a dialog in
 * the header, opened with its button or Ctrl-K, that finds a page by a word on it and goes there.
 */
import { expect, test, type Page } from '@playwright/test'
import { open } from './site'
import { pages } from '../src/routes/(site)/nav'

interface SearchPage {
	href: string
	title: string
	group: string
	sections: { id?: string; heading?: string; text: string }[]
}

const box = (page: Page) => page.getByRole('combobox', { name: 'Search' })
const results = (page: Page) => page.getByRole('listbox', { name: 'Results' }).getByRole('option')

test('the index holds every page of the site that exists, with its headings and text', async ({ request }) => {
	const response = await request.get('/search.json')
	expect(response.ok()).toBe(true)
	const index = (await response.json()) as SearchPage[]
	const missing: string[] = []
	for (const listed of pages) {
		const entry = index.find((candidate) => candidate.href === listed.href)
		if (!entry) {
			// a page in nav.ts that is not on disk yet is not indexed: the page tests report it
			if ((await request.get(listed.href)).status() === 404) missing.push(listed.href)
			else expect(entry, `${listed.href} is not in the index`).toBeDefined()
			continue
		}
		expect(entry.title).toBe(listed.title)
		expect(entry.sections.map((section) => section.text).join(' ').length, `${listed.href} has text`).toBeGreaterThan(100)
	}
	expect(missing, 'pages of nav.ts not on disk').toEqual([])
})

test('each indexed heading is a heading of its page', async ({ page, request }) => {
	const index = (await (await request.get('/search.json')).json()) as SearchPage[]
	for (const entry of index.filter((candidate) => candidate.href.startsWith('/docs/'))) {
		await open(page, entry.href)
		const onPage = await page.locator('main :is(h2, h3)[id]').evaluateAll((found) => found.map((heading) => `${heading.id}: ${heading.textContent!.trim()}`))
		const indexed = entry.sections.filter((section) => section.id).map((section) => `${section.id}: ${section.heading}`)
		for (const heading of indexed) expect(onPage, entry.href).toContain(heading)
	}
})

/** Words of at least four letters in `text`, lower case. */
const wordsOf = (text: string) => new Set(text.toLowerCase().match(/\p{L}{4,}/gu) ?? [])

test('every page is found by a word only it uses, and Enter goes there', async ({ page, request }) => {
	test.setTimeout(120_000)
	const index = (await (await request.get('/search.json')).json()) as SearchPage[]
	const textOf = (entry: SearchPage) => entry.sections.map((section) => `${section.heading ?? ''} ${section.text}`).join(' ')
	for (const entry of index.filter((candidate) => pages.some((listed) => listed.href === candidate.href))) {
		// search matches inside words too: a word of its own appears nowhere else, not even inside a word
		const others = index
			.filter((other) => other !== entry)
			.map((other) => `${other.title} ${textOf(other)}`.toLowerCase())
			.join(' ')
		const own = [...wordsOf(textOf(entry))].filter((word) => !others.includes(word))
		// a word the reader can see on the page, not one from its code or markup; the longest, as
		// the rarest. A page with no word of its own (a short recipe) is found by its title instead
		await open(page, entry.href)
		const shown = (await page.locator('main').innerText()).toLowerCase()
		const word = own.filter((candidate) => shown.includes(candidate)).sort((a, b) => b.length - a.length)[0] ?? entry.title
		await page.keyboard.press('Control+K')
		await box(page).fill(word)
		await expect(results(page).first().getByRole('link')).toHaveAttribute('href', new RegExp(`^${entry.href.replace(/[/]/g, '\\/')}(#|$)`))
		await page.keyboard.press('Enter')
		await expect(page).toHaveURL(new RegExp(`${entry.href.replace(/[/]/g, '\\/')}(#[\\w-]+)?$`))
		await expect(page.getByRole('dialog', { name: 'Search the docs' })).toBeHidden()
		if (word !== entry.title) await expect(page.locator('main')).toContainText(new RegExp(word, 'i'))
	}
})

test('Ctrl-K opens the search, and a page is found by its title', async ({ page }) => {
	await open(page, '/')
	await page.keyboard.press('Control+K')
	await expect(box(page)).toBeFocused()
	await box(page).fill('migration')
	await expect(results(page).first()).toContainText('Migration from sveltekit-sse')
	await expect(results(page).first().locator('mark').first()).toHaveText(/migration/i)
	await page.keyboard.press('Enter')
	await expect(page).toHaveURL(/\/docs\/migration$/)
	await expect(page.getByRole('dialog', { name: 'Search the docs' })).toBeHidden()
})

test('a heading is found and opened at its section, with the mouse', async ({ page }) => {
	await open(page, '/docs/getting-started')
	await page.getByRole('button', { name: /Search/ }).click()
	await box(page).fill('slow clients')
	const hit = results(page).filter({ hasText: 'produce()' }).first()
	await expect(hit).toBeVisible()
	await hit.click()
	await expect(page).toHaveURL(/\/docs\/server#backpressure$/)
	await expect(page.locator('#backpressure')).toBeInViewport()
})

test('arrow keys choose among results; Escape closes; nothing found says so', async ({ page }) => {
	await open(page, '/docs/client')
	await page.keyboard.press('Control+K')
	await box(page).fill('Last-Event-ID')
	await expect(results(page)).not.toHaveCount(0)
	expect(await results(page).count()).toBeGreaterThan(2)
	await expect(results(page).nth(0)).toHaveAttribute('aria-selected', 'true')
	await page.keyboard.press('ArrowDown')
	await expect(results(page).nth(1)).toHaveAttribute('aria-selected', 'true')
	await expect(box(page)).toHaveAttribute('aria-activedescendant', 'search-result-1')
	const second = await results(page).nth(1).getByRole('link').getAttribute('href')
	await page.keyboard.press('Enter')
	await expect(page).toHaveURL(new RegExp(`${second!.replace(/[/#]/g, '\\$&')}$`))

	await page.keyboard.press('Control+K')
	await box(page).fill('zzqx nothing')
	await expect(page.getByRole('dialog')).toContainText('No page has all of')
	await page.keyboard.press('Escape')
	await expect(page.getByRole('dialog')).toBeHidden()
})

test('the index is fetched on first use only', async ({ page }) => {
	const fetched: string[] = []
	page.on('request', (request) => request.url().endsWith('/search.json') && fetched.push(request.url()))
	await open(page, '/docs/server')
	expect(fetched).toEqual([])
	await page.keyboard.press('Control+K')
	await box(page).fill('channel')
	await expect(results(page)).not.toHaveCount(0)
	await page.keyboard.press('Escape')
	await page.keyboard.press('Control+K')
	await box(page).fill('schema')
	await expect(results(page)).not.toHaveCount(0)
	expect(fetched).toHaveLength(1)
})

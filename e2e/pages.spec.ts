import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import ts from 'typescript'
import { cumulativeShift, open, PAGES, shifts, shoot, watchShifts } from './site'
import { pages } from '../src/routes/(site)/nav'

/** Ids used by more than one element. */
const duplicateIds = (page: Page) =>
	page.evaluate(() => {
		const ids = [...document.querySelectorAll('[id]')].map((element) => element.id)
		return [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))]
	})

/** How far the page scrolls sideways: 0 when nothing sticks out (the scrollbar's reserved gutter can make the difference negative). */
const sideways = (page: Page) => page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth))

/** The most a page may move on its own, from first paint to a few seconds in (its demos streaming). */
const MAX_SHIFT = 0.01

for (const [name, path] of PAGES) {
	test(`${name} (${path}): at 1280px and 375px, a screenshot, no layout shift, no sideways scroll`, async ({ page }, testInfo) => {
		const errors: string[] = []
		page.on('pageerror', (error) => errors.push(error.message))
		page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
		await watchShifts(page)

		await page.setViewportSize({ width: 1280, height: 900 })
		const response = await page.goto(path)
		expect(response?.status(), `status of ${path}`).toBe(200)
		await expect(page.locator('html[data-hydrated]')).toHaveCount(1)
		await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1)
		// the sidebar lists every page of the plan, and marks this one if it is there
		const sidebar = page.getByRole('navigation', { name: 'Main' })
		await expect(sidebar.getByRole('link')).toHaveCount(pages.length)
		await expect(sidebar.locator('[aria-current="page"]')).toHaveCount(pages.some((listed) => listed.href === path) ? 1 : 0)
		// no id used twice (labels and anchors would break)
		expect(await duplicateIds(page)).toEqual([])
		// every sample is highlighted (at build time: see site-build.spec.ts)
		const blocks = page.locator('main figure.code')
		await expect(blocks.locator('pre.shiki')).toHaveCount(await blocks.count())
		// long enough for demos to connect and stream a few events
		await page.waitForTimeout(2_000)
		expect(await cumulativeShift(page), JSON.stringify(await shifts(page))).toBeLessThan(MAX_SHIFT)
		await shoot(page, testInfo, `${name}-1280.png`)

		await page.setViewportSize({ width: 375, height: 812 })
		await open(page, path)
		expect(await sideways(page)).toBe(0)
		await page.waitForTimeout(2_000)
		expect(await cumulativeShift(page), JSON.stringify(await shifts(page))).toBeLessThan(MAX_SHIFT)
		await shoot(page, testInfo, `${name}-375.png`)

		expect(errors).toEqual([])
	})
}

test('demo pages show the code that runs, highlighted', async ({ page }) => {
	await open(page, '/demos/clock')
	const files = page.locator('figure.code')
	// the captions are the files' real paths, route group included
	await expect(files.locator('figcaption .name')).toHaveText(['src/routes/(site)/demos/clock/+server.ts', 'src/routes/(site)/demos/clock/Demo.svelte'])
	await expect(files.locator('figcaption .language')).toHaveText(['TypeScript', 'Svelte'])
	const shown = await files.first().locator('pre').textContent()
	// the real file, with `$lib` written as the package name
	const real = readFileSync(new URL('../src/routes/(site)/demos/clock/+server.ts', import.meta.url), 'utf8')
	expect(shown).toBe(real.replace(`'$lib/server.js'`, `'svelte-sse/server'`).trimEnd())
	// in colors: a keyword and a string are told apart
	const color = (text: string) => files.first().locator('pre span', { hasText: new RegExp(`^\\s*${text}$`) }).first().evaluate((span) => getComputedStyle(span).color)
	expect(await color('import')).not.toBe(await color("'svelte-sse/server'"))
})

test('the copy button copies the file as shown', async ({ page, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write'])
	await open(page, '/demos/clock')
	const first = page.locator('figure.code').first()
	await first.getByRole('button', { name: /^Copy / }).click()
	await expect(first.getByRole('button', { name: /^Copy / })).toHaveText('Copied')
	const copied = await page.evaluate(() => navigator.clipboard.readText())
	expect(copied).toBe(await first.locator('pre').textContent())
	expect(copied).toContain(`from 'svelte-sse/server'`)
})

/** The names a module exports, read with TypeScript's parser; `export * from` is followed. */
function exportsOf(file: URL): string[] {
	const source = ts.createSourceFile(file.pathname, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
	const names: string[] = []
	const has = (statement: ts.Statement, kind: ts.SyntaxKind) =>
		ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === kind)
	const exported = (statement: ts.Statement) => has(statement, ts.SyntaxKind.ExportKeyword)
	for (const statement of source.statements) {
		if (ts.isExportDeclaration(statement)) {
			const clause = statement.exportClause
			if (clause && ts.isNamedExports(clause)) names.push(...clause.elements.map((element) => element.name.text))
			else if (clause) names.push(clause.name.text)
			else names.push(...exportsOf(new URL((statement.moduleSpecifier as ts.StringLiteral).text.replace(/\.js$/, '.ts'), file)))
		} else if (ts.isExportAssignment(statement)) {
			names.push('default')
		} else if (ts.isVariableStatement(statement) && exported(statement)) {
			for (const declaration of statement.declarationList.declarations) {
				if (!ts.isIdentifier(declaration.name)) throw new Error(`${file.pathname}: a destructured export; list its names here`)
				names.push(declaration.name.text)
			}
		} else if (exported(statement)) {
			const { name } = statement as ts.DeclarationStatement
			names.push(has(statement, ts.SyntaxKind.DefaultKeyword) || !name ? 'default' : name.text)
		}
	}
	return names
}

test('the API page lists exactly the exports of each entry point', async ({ page }) => {
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
		// and nothing is listed under an entry point that does not export it
		const extra = documented.filter((id) => !names.some((name) => id === `${group}-${name}`))
		expect(extra, `entries on /docs/api that ${entry} does not export`).toEqual([])
	}
})

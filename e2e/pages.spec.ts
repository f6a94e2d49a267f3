import { readFileSync } from 'node:fs'
import { expect, test, type Page, type TestInfo } from '@playwright/test'
import ts from 'typescript'
import { open, PAGES } from './site'

async function shoot(page: Page, testInfo: TestInfo, file: string) {
	const path = testInfo.outputPath(file)
	await page.screenshot({ path, fullPage: true })
	await testInfo.attach(file, { path, contentType: 'image/png' })
}

/** Ids used by more than one element. */
const duplicateIds = (page: Page) =>
	page.evaluate(() => {
		const ids = [...document.querySelectorAll('[id]')].map((element) => element.id)
		return [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))]
	})

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
		await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveCount(8)
		// several demos share the home page: no id may be used twice (labels and anchors would break)
		expect(await duplicateIds(page)).toEqual([])
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
	// the captions are the files' real paths, route group included
	await expect(files.locator('figcaption')).toContainText(['src/routes/(site)/demos/clock/+server.ts', 'src/routes/(site)/demos/clock/Demo.svelte'])
	const shown = await files.first().locator('pre').textContent()
	// the real file, with `$lib` written as the package name
	const real = readFileSync(new URL('../src/routes/(site)/demos/clock/+server.ts', import.meta.url), 'utf8')
	expect(shown).toBe(real.replace(`'$lib/server.js'`, `'svelte-sse/server'`).trimEnd())
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

/**
 * Code is highlighted at build time: the server-rendered HTML already holds shiki's colors, and
 * the browser's bundle holds no highlighter (the site's Vite plugin also fails the build if a
 * client chunk ever includes shiki; this checks the output itself).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'

const client = fileURLToPath(new URL('../build/client/', import.meta.url))

/** Strings of shiki's runtime (its API, its engines, its grammar machinery), none of which a page needs. */
const HIGHLIGHTER = ['createHighlighter', 'codeToHtml', 'codeToTokens', 'tokenizeTimeLimit', 'loadLanguage', 'vscode-textmate', 'oniguruma', 'onig.wasm', 'createJavaScriptRegexEngine']

test('the client bundle carries no highlighter', () => {
	const scripts = readdirSync(client, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'))
	expect(scripts.length).toBeGreaterThan(10)
	const found = scripts.flatMap((file) => {
		const text = readFileSync(join(client, file), 'utf8')
		return HIGHLIGHTER.filter((marker) => text.includes(marker)).map((marker) => `${file}: ${marker}`)
	})
	expect(found).toEqual([])
	// and the highlighted HTML is there, made in advance
	expect(scripts.some((file) => readFileSync(join(client, file), 'utf8').includes('shiki-themes'))).toBe(true)
})

test('pages arrive highlighted from the server, before any script runs', async ({ request }) => {
	const html = await (await request.get('/docs/getting-started', { headers: { accept: 'text/html' } })).text()
	// each token with its light and dark color
	expect(html).toMatch(/<pre class="shiki shiki-themes [^"]+" style="[^"]*"><code><span class="line"><span style="--l:#[0-9A-F]{6};--d:#[0-9A-F]{6}">/i)
})

test('the search index is a static file of the build', () => {
	const index = JSON.parse(readFileSync(new URL('../build/prerendered/search.json', import.meta.url), 'utf8')) as { href: string }[]
	expect(index.map((page) => page.href)).toContain('/docs/getting-started')
})

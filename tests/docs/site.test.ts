/**
 * The docs site shows code only from real files (imported with `?raw`) that `npm run check`
 * type-checks, so its samples cannot drift from the library. The one sample that is not code, a
 * stream's output, is compared with what its example server writes.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { RequestEvent } from '@sveltejs/kit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { GET } from '../../src/routes/(site)/docs/getting-started/examples/time-server.js'

const site = new URL('../../src/routes/(site)/', import.meta.url)
const pages = readdirSync(site, { recursive: true, encoding: 'utf8' })
	.filter((path) => path.endsWith('+page.svelte'))
	.map((path) => ({ path, source: readFileSync(new URL(path, site), 'utf8') }))

/** Samples that are not code, each compared with the real thing by a test below. */
const CHECKED_BY_TEST = ['docs/getting-started/examples/time-output.txt', 'docs/deployment/examples/nginx.conf']

describe('the docs site', () => {
	it('passes every sample to <Code> from an imported file, never as a literal', () => {
		expect(pages.length).toBeGreaterThan(5)
		const literals = pages.flatMap(({ path, source }) =>
			[...source.matchAll(/<Code\b[^>]*\bcode=\{\s*['"`][^]*?\/>/g)].map((match) => `${path}: ${match[0]}`)
		)
		expect(literals).toEqual([])
	})

	it('imports samples only from files that svelte-check type-checks', () => {
		const raw = pages.flatMap(({ path, source }) =>
			[...source.matchAll(/from '(\.[^']+)\?raw'/g)].map((match) => new URL(match[1], new URL(path, site)).href.slice(site.href.length))
		)
		expect(raw.length).toBeGreaterThan(10)
		const unchecked = raw.filter((path) => !/\.(ts|js|svelte)$/.test(path) && !CHECKED_BY_TEST.includes(decodeURI(path)))
		expect(unchecked).toEqual([])
	})
})

describe('deployment', () => {
	it('shows an nginx configuration that passes streams on unbuffered, with a read timeout above the ping', () => {
		const conf = readFileSync(new URL('docs/deployment/examples/nginx.conf', site), 'utf8').replace(/#.*$/gm, '')
		// balanced blocks, every directive ended
		let depth = 0
		for (const char of conf) {
			depth += char === '{' ? 1 : char === '}' ? -1 : 0
			expect(depth).toBeGreaterThanOrEqual(0)
		}
		expect(depth).toBe(0)
		for (const line of conf.split('\n').map((text) => text.trim())) {
			if (line !== '' && !line.endsWith('{') && line !== '}') expect(line).toMatch(/;$/)
		}
		const streams = conf.slice(conf.indexOf('location /streams/'))
		expect(streams).toMatch(/proxy_buffering off;/)
		expect(streams).toMatch(/proxy_pass http:\/\/app;/)
		const timeout = /proxy_read_timeout (\d+)(h|m|s);/.exec(streams)
		expect(timeout).not.toBeNull()
		const seconds = Number(timeout![1]) * { h: 3600, m: 60, s: 1 }[timeout![2] as 'h' | 'm' | 's']
		expect(seconds * 1000).toBeGreaterThan(15_000) // produce()'s default ping
		expect(conf).toMatch(/proxy_http_version 1\.1;/)
		expect(conf).toMatch(/proxy_set_header Connection "";/)
	})
})

describe('getting started', () => {
	afterEach(() => {
		vi.useRealTimers()
	})

	it('shows the output that time-server.ts writes in its first two seconds', async () => {
		// Date and the example's interval are faked; produce's own flushes run for real
		vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: new Date(2026, 0, 1, 14, 2, 10) })
		const response = await GET({ request: new Request('http://localhost/time') } as RequestEvent)
		const reader = response.body!.getReader()
		vi.advanceTimersByTime(2000)

		const decoder = new TextDecoder()
		let written = ''
		for (;;) {
			// whatever arrives until the stream has been quiet for 50 ms (real time)
			const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(resolve, 50, null))])
			if (!chunk || chunk.done) break
			written += decoder.decode(chunk.value, { stream: true })
		}
		await reader.cancel()

		const shown = readFileSync(new URL('docs/getting-started/examples/time-output.txt', site), 'utf8')
		// the page shows the file with its trailing blank line trimmed
		expect(written).toBe(shown + '\n')
	})
})

describe('the API reference', () => {
	it('lists every export of the four entry points, and nothing that is not one', async () => {
		const ts = (await import('typescript')).default
		const entries = { 'svelte-sse': 'src/lib/index.ts', 'svelte-sse/server': 'src/lib/server.ts', 'svelte-sse/redis': 'src/lib/redis/index.ts', 'svelte-sse/postgres': 'src/lib/postgres/index.ts' }
		const program = ts.createProgram(Object.values(entries), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowJs: false, noEmit: true })
		const checker = program.getTypeChecker()
		const exported = new Set<string>()
		for (const file of Object.values(entries)) {
			const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!
			for (const one of checker.getExportsOfModule(symbol)) exported.add(one.name)
		}
		const page = readFileSync(new URL('docs/api/+page.svelte', site), 'utf8')
		const listed = new Set([...page.matchAll(/\{ name: '([^']+)'/g)].map((match) => match[1]!))
		expect(exported.size).toBeGreaterThan(40)
		expect([...exported].filter((name) => !listed.has(name)).sort()).toEqual([])
		expect([...listed].filter((name) => !exported.has(name)).sort()).toEqual([])
	})
})

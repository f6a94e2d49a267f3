/**
 * README.md cannot import its samples as the docs site does, so each of its code blocks is a copy
 * of a real file that `npm run check` type-checks, named in a comment on the line above the block.
 * These tests keep the copies equal to the files, so the README cannot drift from the code.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

/** `<!-- copy of PATH, kept equal by tests/docs/readme.test.ts -->` on the line before a block. */
const MARKER = /^<!-- copy of ([^,\s]+), kept equal by tests\/docs\/readme\.test\.ts -->$/

interface Block {
	lang: string
	code: string
	/** The file it copies, from the marker above it. */
	file: string | undefined
	line: number
}

/** The fenced code blocks of a Markdown text, with the file each one copies. */
function blocks(markdown: string): Block[] {
	const lines = markdown.split('\n')
	const found: Block[] = []
	for (let start = 0; start < lines.length; start++) {
		const open = /^```(\w*)$/.exec(lines[start])
		if (!open) continue
		const end = lines.indexOf('```', start + 1)
		if (end === -1) throw new Error(`README.md: the code block at line ${start + 1} never closes`)
		found.push({
			lang: open[1],
			code: lines.slice(start + 1, end).join('\n') + '\n',
			file: MARKER.exec(lines[start - 1] ?? '')?.[1],
			line: start + 1
		})
		start = end
	}
	return found
}

/**
 * A sample file as a reader sees it: inside this repository the library is `$lib`, in an app it
 * is the package. The same mapping as the docs site's Code.svelte.
 */
function shown(code: string): string {
	return code.replaceAll(`'$lib/server.js'`, `'svelte-sse/server'`).replaceAll(`'$lib/index.js'`, `'svelte-sse'`)
}

// shell commands are what to type, not code that could drift from the library
const samples = blocks(read('README.md')).filter((block) => block.lang !== 'sh')

describe('README.md', () => {
	it('has code samples to compare', () => {
		expect(samples.length).toBeGreaterThanOrEqual(3)
	})

	it('names, above every code block but shell commands, the type-checked file it copies', () => {
		const unnamed = samples.filter((block) => block.file === undefined).map((block) => `line ${block.line}`)
		expect(unnamed).toEqual([])
		// .ts and .svelte files under src/ are what `npm run check` (svelte-check) covers
		for (const { file } of samples) expect(file).toMatch(/^src\/.+\.(ts|svelte)$/)
	})

	for (const block of samples.filter((block) => block.file !== undefined)) {
		it(`shows ${block.file} exactly (the block at line ${block.line})`, () => {
			expect(block.code).toBe(shown(read(block.file!)))
		})
	}
})

/**
 * The docs site's build-time work, as one Vite plugin (vite.config.ts), the same under `vite dev`
 * and `vite build`:
 * - every `?raw` import of a file under src/routes/(site) also registers the file's highlighted
 *   HTML (shiki, light and dark colors at once) with ui/highlighted.ts, so code is highlighted in
 *   Node and the browser gets HTML, never a highlighter. A client chunk holding shiki fails the build;
 * - `virtual:site-search` is the text of every page, read from its source (extract.ts), which
 *   search.json serves;
 * - `virtual:site-meta` is the version and repository from package.json.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHighlighter, type Highlighter } from 'shiki'
import type { Plugin, ViteDevServer } from 'vite'
import { shown } from '../shown.js'
import { extract } from './extract.js'

const SITE = fileURLToPath(new URL('../../', import.meta.url))
const REGISTRY = fileURLToPath(new URL('../highlighted.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url))

const SEARCH = 'virtual:site-search'
const META = 'virtual:site-meta'

const THEMES = { light: 'github-light-default', dark: 'github-dark-default' } as const

/** Shiki's language and the name shown above the code, by file extension. */
const LANGUAGES: Record<string, [id: string, name: string]> = {
	'.ts': ['typescript', 'TypeScript'],
	'.js': ['javascript', 'JavaScript'],
	'.svelte': ['svelte', 'Svelte'],
	'.json': ['json', 'JSON'],
	'.sql': ['sql', 'SQL'],
	'.sh': ['shellscript', 'Shell'],
	'.conf': ['nginx', 'nginx'],
	'.yml': ['yaml', 'YAML'],
	'.yaml': ['yaml', 'YAML'],
	'.css': ['css', 'CSS'],
	'.html': ['html', 'HTML']
}

let highlighter: Promise<Highlighter> | undefined

/** Shiki's names for a token's two colors, and the short ones the HTML carries (Code.svelte reads them). */
const SHORT: [RegExp, string][] = [
	[/--shiki-light:/g, '--l:'],
	[/--shiki-dark:/g, '--d:']
]

/**
 * `code` as highlighted HTML: a `<pre class="shiki">` whose tokens carry their light and dark
 * colors as two short custom properties (`--l`, `--d`) that the site's CSS turns into
 * `light-dark()`. Thousands of tokens: the short form keeps the pages' chunks small.
 */
function highlight(code: string, language: string): Promise<string> {
	const key = `${language}\0${code}`
	// the browser's build and the server's read the same files: each is highlighted once
	let html = highlighted.get(key)
	if (!html) highlighted.set(key, (html = colorize(code, language)))
	return html
}

const highlighted = new Map<string, Promise<string>>()

async function colorize(code: string, language: string): Promise<string> {
	highlighter ??= createHighlighter({ themes: Object.values(THEMES), langs: ['typescript', 'svelte'] })
	const shiki = await highlighter
	if (language !== 'text' && !shiki.getLoadedLanguages().includes(language)) await shiki.loadLanguage(language as Parameters<Highlighter['loadLanguage']>[0])
	const shorten = (style: unknown) => SHORT.reduce((text, [long, short]) => text.replace(long, short), String(style))
	return shiki.codeToHtml(code, {
		lang: language,
		themes: THEMES,
		defaultColor: false,
		// no time limit: a cold regex engine could otherwise give up mid-line, and the same file
		// would come out colored differently from one build to the next
		tokenizeTimeLimit: 0,
		transformers: [
			{
				pre(node) {
					// the block's own colors stay (as --l and --d); the site's stylesheet sets the
					// background, and the block wraps, so it never scrolls and needs no tabindex
					node.properties.style = shorten(node.properties.style).replace(/--shiki-(light|dark)-bg:[^;]*;?/g, '')
					delete node.properties.tabindex
				},
				span(node) {
					if (node.properties.style) node.properties.style = shorten(node.properties.style)
				}
			}
		]
	})
}

/** A file's shiki language and the name shown above it. */
const languageOf = (file: string) => LANGUAGES[extname(file)] ?? ['text', 'Text']

/**
 * Before `vite build` bundles anything: highlights every file of the site that a page could show
 * (all but its routes' own pages, layouts and styles), so that loading a sample is a look-up.
 */
async function highlightAll(): Promise<void> {
	const files = readdirSync(SITE, { recursive: true, encoding: 'utf8' }).filter(
		(path) => (extname(path) in LANGUAGES || path.endsWith('.txt')) && !/(^|[\\/])\+(page|layout|error)\.svelte$/.test(path) && !path.endsWith('.d.ts') && statSync(join(SITE, path)).isFile()
	)
	for (const path of files) await highlight(shown(readFileSync(join(SITE, path), 'utf8')), languageOf(path)[0])
}

/** `/abs/path/file.ts?raw` when it is a sample of the site, else undefined. */
function sample(id: string): string | undefined {
	const [file, query] = id.split('?', 2)
	if (!file || query === undefined || !file.startsWith(SITE)) return undefined
	const params = new URLSearchParams(query)
	return params.has('raw') && [...params.keys()].every((key) => key === 'raw' || key === 'import') ? file : undefined
}

/** Every `+page.svelte` of the site and its URL (dynamic routes left out). */
function pageFiles(): { file: string; href: string }[] {
	return readdirSync(SITE, { recursive: true, encoding: 'utf8' })
		.filter((path) => path.endsWith(`${sep}+page.svelte`) || path === '+page.svelte')
		.filter((path) => !path.includes('['))
		.map((path) => {
			const segments = path.split(sep).slice(0, -1).filter((segment) => !/^\(.*\)$/.test(segment))
			return { file: join(SITE, path), href: '/' + segments.join('/') }
		})
		.sort((a, b) => a.href.localeCompare(b.href))
}

export function site(): Plugin {
	const resolved = (id: string) => '\0' + id
	let server: ViteDevServer | undefined

	/** Under `vite dev`: a page added, changed or removed rebuilds the search index. */
	function invalidate(file: string) {
		if (!server || !file.startsWith(SITE) || !file.endsWith('+page.svelte')) return
		for (const environment of Object.values(server.environments)) {
			const module = environment.moduleGraph.getModuleById(resolved(SEARCH))
			if (module) environment.moduleGraph.invalidateModule(module)
		}
	}

	return {
		name: 'svelte-sse-site',
		enforce: 'pre',

		async configResolved(config) {
			// under `vite dev` each sample is highlighted when first requested instead
			if (config.command === 'build' && !process.env.VITEST) await highlightAll()
		},

		configureServer(dev) {
			server = dev
			dev.watcher.on('add', invalidate)
			dev.watcher.on('unlink', invalidate)
			dev.watcher.on('change', invalidate)
		},

		resolveId: {
			filter: { id: /^virtual:site-/ },
			handler(id) {
				if (id === SEARCH || id === META) return resolved(id)
			}
		},

		load: {
			// only the site's own modules and `?raw` imports reach the handler
			filter: { id: [/^\0virtual:site-/, /\?(?:.*&)?raw(?:&|$)/] },
			async handler(id) {
				if (id === resolved(META)) {
					const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; repository: { url: string } }
					const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')
					return `export const version = ${JSON.stringify(pkg.version)}\nexport const repository = ${JSON.stringify(repository)}\n`
				}
				if (id === resolved(SEARCH)) {
					const pages = pageFiles().map(({ file, href }) => {
						this.addWatchFile(file)
						return { href, ...extract(readFileSync(file, 'utf8'), relative(ROOT, file)) }
					})
					return `export default ${JSON.stringify(pages)}\n`
				}
				const file = sample(id)
				if (!file) return
				this.addWatchFile(file)
				const code = readFileSync(file, 'utf8')
				const [language, name] = languageOf(file)
				const html = await highlight(shown(code), language)
				return [
					`import { register } from ${JSON.stringify(REGISTRY)}`,
					`const code = ${JSON.stringify(code)}`,
					`register(code, ${JSON.stringify(html)}, ${JSON.stringify(name)})`,
					'export default code',
					''
				].join('\n')
			}
		},

		generateBundle(_, bundle) {
			if (this.environment.config.consumer !== 'client') return
			for (const chunk of Object.values(bundle)) {
				if (chunk.type !== 'chunk') continue
				const leaked = chunk.moduleIds.filter((id) => /[\\/]node_modules[\\/](shiki|@shikijs)[\\/]/.test(id))
				if (leaked.length > 0) this.error(`The highlighter reached the browser bundle (${chunk.fileName}): ${leaked.join(', ')}`)
			}
		}
	}
}

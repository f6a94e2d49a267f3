/**
 * Figure 5, client bundle size: the same tiny app (open a source, select an event, subscribe
 * to it) written with svelte-sse and with sveltekit-sse, built by Vite with the Svelte plugin
 * for the browser, minified, then gzipped with node:zlib.
 *
 * Run alone: `npx svelte-package && node bench/size.js`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { build, defaultClientConditions, minify, version as viteVersion } from 'vite'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const OURS = JSON.stringify(join(root, 'dist/index.js'))
const PEER = JSON.stringify(join(root, 'node_modules/sveltekit-sse/dist/index.js'))
const MOUNT = `import { mount } from 'svelte'\nimport App from './App.svelte'\nmount(App, { target: document.body })\n`

// Both apps do the same thing: one source, one selection, one subscriber. The component app
// shows the value in markup the way each library's docs do it.
const APPS = [
	{
		key: 'ours',
		label: 'svelte-sse',
		script: `import { Source } from ${OURS}
const tick = new Source('/events').select('tick')
tick.subscribe((value) => console.log(value))
`,
		component: `<script>
	import { Source } from ${OURS}
	const tick = new Source('/events').select('tick')
</script>

<p>{tick.current}</p>
`
	},
	{
		key: 'sveltekit-sse',
		label: 'sveltekit-sse',
		script: `import { source } from ${PEER}
source('/events').select('tick').subscribe((value) => console.log(value))
`,
		component: `<script>
	import { source } from ${PEER}
	const tick = source('/events').select('tick')
</script>

<p>{$tick}</p>
`
	}
]

// What each library's way of being reactive costs before any of its own code: a class with one
// `$state` field and `createSubscriber` (svelte-sse's shape) and a `writable` (sveltekit-sse's).
const FLOORS = [
	{
		key: 'runes',
		label: 'runes floor: a class with one $state field and createSubscriber',
		files: {
			'box.svelte.js': `import { createSubscriber } from 'svelte/reactivity'
export class Box {
	#value = $state()
	#subscribe = createSubscriber(() => () => {})
	get current() {
		this.#subscribe()
		return this.#value
	}
	subscribe(run) {
		run(this.#value)
		return () => {}
	}
}
`,
			'script.js': `import { Box } from './box.svelte.js'\nnew Box().subscribe((value) => console.log(value))\n`
		}
	},
	{
		key: 'store',
		label: 'store floor: a writable from svelte/store',
		files: { 'script.js': `import { writable } from 'svelte/store'\nwritable().subscribe((value) => console.log(value))\n` }
	}
]

async function bundle(dir, entry, { externalSvelte = false, minified = true } = {}) {
	const output = await build({
		configFile: false,
		root: dir,
		logLevel: 'silent',
		mode: 'production',
		plugins: [svelte({ configFile: false })],
		resolve: { conditions: ['browser', ...defaultClientConditions] },
		build: {
			write: false,
			minify: minified,
			modulePreload: false,
			reportCompressedSize: false,
			rollupOptions: {
				input: entry,
				external: externalSvelte ? (id) => id === 'svelte' || id.startsWith('svelte/') : undefined
			}
		}
	})
	const outputs = Array.isArray(output) ? output : [output]
	const chunks = outputs.flatMap((o) => o.output).filter((file) => file.type === 'chunk')
	const code = chunks.map((chunk) => chunk.code).join('\n')
	const modules = chunks.flatMap((chunk) => Object.entries(chunk.modules).map(([id, module]) => ({ id, code: module.code ?? '' })))
	return { minified: Buffer.byteLength(code), gzipped: gzipSync(code, { level: 9 }).length, modules }
}

/**
 * Roughly what each of our modules weighs: each module's code as bundled, minified on its own
 * (whitespace and local names only: compressing a lone module would drop it as unused) and
 * gzipped on its own. The parts add up to more than the whole, which gzips better together.
 */
async function breakdown(modules) {
	const rows = []
	for (const { id, code } of modules) {
		if (!id.startsWith(join(root, 'dist'))) continue
		const { code: small } = await minify(id, code, { compress: false, mangle: true, module: true })
		rows.push({ module: id.slice(root.length + 1), minified: Buffer.byteLength(small), gzipped: gzipSync(small, { level: 9 }).length })
	}
	return rows.sort((a, b) => b.gzipped - a.gzipped)
}

/** @param {{ log?: (line: string) => void }} [options] */
export async function runSizeBench({ log = () => {} } = {}) {
	// inside the project, so that `svelte` resolves from its node_modules; removed afterwards
	const dir = mkdtempSync(join(root, 'bench', '.size-'))
	const rows = []
	const floors = {}
	try {
		for (const app of APPS) {
			const appDir = join(dir, app.key)
			mkdirSync(appDir)
			const script = join(appDir, 'script.js')
			writeFileSync(script, app.script)
			const main = join(appDir, 'main.js')
			writeFileSync(main, MOUNT)
			writeFileSync(join(appDir, 'App.svelte'), app.component)
			const full = await bundle(appDir, script)
			const library = await bundle(appDir, script, { externalSvelte: true })
			const component = await bundle(appDir, main)
			const parts = app.key === 'ours' ? await breakdown((await bundle(appDir, script, { externalSvelte: true, minified: false })).modules) : []
			rows.push({ key: app.key, label: app.label, full, library, component, parts })
			log(`  size: ${app.label} done`)
		}
		for (const floor of FLOORS) {
			const floorDir = join(dir, floor.key)
			mkdirSync(floorDir)
			for (const [name, text] of Object.entries(floor.files)) writeFileSync(join(floorDir, name), text)
			floors[floor.key] = { label: floor.label, ...(await bundle(floorDir, join(floorDir, 'script.js'))) }
		}
	} finally {
		rmSync(dir, { recursive: true, force: true })
	}
	const by = Object.fromEntries(rows.map((row) => [row.key, row]))
	const ratio = (field) => by.ours[field].gzipped / by['sveltekit-sse'][field].gzipped
	return {
		rows,
		floors,
		ratios: {
			full: ratio('full'),
			library: ratio('library'),
			component: ratio('component'),
			runesFloor: floors.runes.gzipped / by['sveltekit-sse'].full.gzipped
		},
		parts: by.ours.parts,
		method:
			"One tiny app per library: `new Source('/events').select('tick').subscribe(console.log)` (svelte-sse, from dist/) and " +
			"`source('/events').select('tick').subscribe(console.log)` (sveltekit-sse): a store subscription in both, so both apps do the same. " +
			`Built with Vite ${viteVersion} (app build, the JS file as input, minify on) with @sveltejs/vite-plugin-svelte and the browser ` +
			'condition; gzip = node:zlib level 9 over the output chunks. "Full" bundles everything each app pulls, the Svelte runtime ' +
			'included (svelte-sse uses runes, so svelte/internal/client and createSubscriber; sveltekit-sse uses svelte/store); "library only" marks ' +
			"svelte and svelte/* external, leaving each library's own code. \"Component app\" (context) mounts one component that shows the value " +
			'the way each library is read in markup (`{tick.current}` / `{$tick}`), so both carry the Svelte runtime that a real app has anyway. ' +
			'The floors (context) bundle the least each way of being reactive costs, built the same way: a class with one `$state` field and ' +
			'`createSubscriber` (the runes floor) and one `writable` (the store floor), with no library code.'
	}
}

const kb = (bytes) => `${(bytes / 1000).toFixed(2)} kB`

export function formatSize(result) {
	const lines = [
		'| app | full: min | full: gzip | library only: min | library only: gzip | component app: min | component app: gzip |',
		'|---|---:|---:|---:|---:|---:|---:|'
	]
	for (const row of result.rows) {
		lines.push(
			`| ${row.label} | ${kb(row.full.minified)} | ${kb(row.full.gzipped)} | ${kb(row.library.minified)} | ${kb(row.library.gzipped)} | ${kb(row.component.minified)} | ${kb(row.component.gzipped)} |`
		)
	}
	for (const floor of Object.values(result.floors)) {
		lines.push(`| ${floor.label} (context) | ${kb(floor.minified)} | ${kb(floor.gzipped)} | — | — | — | — |`)
	}
	return lines.join('\n')
}

export function formatSizeBreakdown(result) {
	const lines = ['| svelte-sse module (each minified and gzipped alone, approximate) | min | gzip |', '|---|---:|---:|']
	for (const part of result.parts) lines.push(`| ${part.module} | ${kb(part.minified)} | ${kb(part.gzipped)} |`)
	return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const result = await runSizeBench({ log: console.log })
	console.log(formatSize(result))
	console.log(result.ratios)
	console.log(formatSizeBreakdown(result))
}

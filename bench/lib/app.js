/**
 * The benchmarks' SvelteKit app (bench/app): builds it with Vite and adapter-node when its inputs
 * changed and returns the path of build/handler.js. The inputs are the app's own files, the
 * packaged library it imports (dist/, or SVELTE_SSE_SERVER), the peers' versions (lockfiles)
 * and Node's version; their hash is stored beside the build, so an unchanged app is not rebuilt.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const APP = resolve(here, '../app')
const root = resolve(here, '../..')
const BUILD = join(APP, 'build')
const STAMP = join(BUILD, '.inputs-hash')

/** Every file under `dir`, skipping build output and dependencies. */
function files(dir, skip = ['build', '.svelte-kit', 'node_modules']) {
	if (!existsSync(dir)) return []
	const out = []
	for (const name of readdirSync(dir).sort()) {
		if (skip.includes(name)) continue
		const path = join(dir, name)
		if (statSync(path).isDirectory()) out.push(...files(path, skip))
		else out.push(path)
	}
	return out
}

function inputsHash() {
	const hash = createHash('sha256')
	const server = process.env.SVELTE_SSE_SERVER ? resolve(process.env.SVELTE_SSE_SERVER) : ''
	const inputs = [
		...files(APP),
		...(server ? files(dirname(server)) : files(join(root, 'dist'))),
		join(root, 'package-lock.json'),
		join(here, '../package-lock.json')
	]
	hash.update(`${process.version}\n${server}\n`)
	for (const file of inputs) {
		if (!existsSync(file)) continue
		hash.update(`${relative(root, file)}\n`)
		hash.update(readFileSync(file))
	}
	return hash.digest('hex')
}

let built

/**
 * Builds bench/app unless a build of the same inputs is there; returns build/handler.js's path.
 * Once per process: later calls reuse the first build, so that every figure of one run measures
 * the same build even when dist/ is rebuilt in the meantime.
 */
export function ensureApp({ log = () => {} } = {}) {
	built ??= build(log)
	return built
}

function build(log) {
	if (!existsSync(join(root, 'dist/server.js')) && !process.env.SVELTE_SSE_SERVER) {
		throw new Error('dist/server.js is missing: build the package first (npx svelte-package).')
	}
	const handler = join(BUILD, 'handler.js')
	const hash = inputsHash()
	if (existsSync(handler) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return handler
	log('  building bench/app (vite build, adapter-node)…')
	for (let attempt = 1; ; attempt++) {
		const result = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: APP, encoding: 'utf8', env: process.env })
		if (result.status === 0 && existsSync(handler)) break
		// Vite 8's bundler has been seen to fail once on a cold cache and pass on the next try
		if (attempt === 2) throw new Error(`vite build of bench/app failed:\n${result.stdout}\n${result.stderr}`)
	}
	writeFileSync(STAMP, hash)
	return handler
}

// The end-to-end benchmark (bench/e2e) runs under vitest so that dist's `.svelte.js` classes are
// compiled by Svelte for the browser. Used by bench/run.js; not part of `npm test`.
import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defaultClientConditions, defineConfig } from 'vite'

export default defineConfig({
	// What a production browser bundle runs: the client compiler output without dev checks, and
	// Svelte's runtime with DEV false. Svelte reads DEV from esm-env, which vitest would resolve
	// with the development condition (it runs in mode 'test'); the alias pins it to false without
	// switching Vite to production mode, which would stub the node: modules this benchmark needs.
	// vite-plugin-svelte compiles `.svelte.js` modules with `dev: !isProduction` whatever
	// compilerOptions say, which wraps every `===` in $.strict_equals and more; the dynamic
	// options are the ones it applies last, so they make modules production code too.
	plugins: [svelte({ configFile: false, compilerOptions: { dev: false }, dynamicCompileOptions: () => ({ dev: false }) })],
	resolve: {
		conditions: ['browser', ...defaultClientConditions],
		alias: [{ find: /^esm-env\/development$/, replacement: fileURLToPath(new URL('../node_modules/esm-env/false.js', import.meta.url)) }]
	},
	test: {
		include: ['bench/e2e/**/*.bench.svelte.js'],
		environment: './bench/e2e/environment.js',
		testTimeout: 240_000,
		hookTimeout: 60_000,
		// inline svelte and esm-env so that the conditions and alias above apply to them
		server: { deps: { inline: [/svelte/, /esm-env/] } },
		fileParallelism: false
	}
})

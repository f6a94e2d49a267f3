import adapter from '@sveltejs/adapter-node'
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte'

/**
 * The e2e tests' own SvelteKit app: endpoints that flood, stall or report on their streams, which
 * must never ship with the docs site. Built into ./build and served only by playwright.config.ts.
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter(),
		// the library from the repository's src/lib, under the names an app that installed it uses;
		// the longer name first, or Vite's alias for 'svelte-sse' would also take 'svelte-sse/server'
		alias: {
			'svelte-sse/server': '../../src/lib/server.ts',
			'svelte-sse': '../../src/lib/index.ts'
		}
	}
}

export default config

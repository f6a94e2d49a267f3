import { resolve } from 'node:path'
import adapter from '@sveltejs/adapter-node'

/**
 * The benchmarks' SvelteKit app: +server.ts routes only, built with adapter-node into ./build
 * by bench/lib/app.js and served by bench/servers/*.js through build/handler.js, the way a
 * deployed app serves them (getRequest → server.respond → the route → setResponse).
 * `svelte-sse/server` is the packaged library in the repository's dist/ (what the benchmarks
 * measure), or SVELTE_SSE_SERVER when set (another build of produce(), to try a fix).
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
	kit: {
		adapter: adapter({ precompress: false }),
		alias: {
			'svelte-sse/server': process.env.SVELTE_SSE_SERVER ? resolve(process.env.SVELTE_SSE_SERVER) : '../../dist/server.js'
		}
	}
}

export default config

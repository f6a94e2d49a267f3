/**
 * A vitest environment for the end-to-end benchmark: Node's own globals (fetch, streams,
 * AbortController), code transformed for the browser ('client' Vite environment, so Svelte
 * compiles runes for the client and `$effect` runs), and just enough `window`/`document` for
 * `Source` to see a browser and connect. No DOM: nothing is rendered.
 */
export default {
	name: 'browser-stub',
	viteEnvironment: 'client',
	setup(global) {
		const added = []
		if (global.window === undefined) {
			global.window = global
			added.push('window')
		}
		if (global.document === undefined) {
			global.document = {}
			added.push('document')
		}
		return {
			teardown(global) {
				for (const name of added) delete global[name]
			}
		}
	}
}

import adapter from '@sveltejs/adapter-node'
import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vite'

// SvelteKit 3 reads no svelte.config.js: its options are the plugin's. Remote functions (for the
// query.live page) are still experimental in kit 3.
export default defineConfig({
	plugins: [sveltekit({ adapter: adapter(), experimental: { remoteFunctions: true } })]
})

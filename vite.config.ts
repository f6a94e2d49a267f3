import { sveltekit } from '@sveltejs/kit/vite'
import { svelteTesting } from '@testing-library/svelte/vite'
import { defineConfig } from 'vitest/config'
import { site } from './src/routes/(site)/ui/build/plugin.js'

export default defineConfig({
	// site(): the docs site's highlighting, search index and version, at build time
	plugins: [site(), sveltekit()],
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'server',
					environment: 'node',
					include: ['tests/protocol/**/*.test.ts', 'tests/server/**/*.test.ts', 'tests/redis/**/*.test.ts', 'tests/postgres/**/*.test.ts', 'tests/docs/**/*.test.ts', 'tests/**/*.ssr.test.ts']
				}
			},
			{
				extends: './vite.config.ts',
				plugins: [svelteTesting()],
				test: {
					name: 'client',
					environment: 'jsdom',
					include: ['tests/client/**/*.test.ts', 'tests/components/**/*.test.ts'],
					exclude: ['tests/**/*.ssr.test.ts']
				}
			}
		]
	}
})

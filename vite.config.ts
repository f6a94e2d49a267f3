import { sveltekit } from '@sveltejs/kit/vite'
import { svelteTesting } from '@testing-library/svelte/vite'
import { defineConfig } from 'vitest/config'

export default defineConfig({
	plugins: [sveltekit()],
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

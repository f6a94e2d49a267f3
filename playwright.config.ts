import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

/** Playwright cannot download browsers here: it drives Debian's Chromium (or PLAYWRIGHT_CHROMIUM). */
const chromium = process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium'
if (!existsSync(chromium)) {
	throw new Error(
		`No Chromium at ${chromium}. Install it with \`apt-get install -y chromium\`, or set PLAYWRIGHT_CHROMIUM to a Chromium binary.`
	)
}

const PREVIEW = 4173
const NODE = 4174

export default defineConfig({
	testDir: 'e2e',
	outputDir: 'test-results',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 30_000,
	reporter: [['list']],
	use: {
		launchOptions: {
			executablePath: chromium,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
		},
		trace: 'off'
	},
	projects: [
		// the whole site under `vite preview`
		{ name: 'preview', use: { baseURL: `http://127.0.0.1:${PREVIEW}` }, testIgnore: /\.node\.spec\.ts$/ },
		// produce() through adapter-node's production server
		{ name: 'adapter-node', use: { baseURL: `http://127.0.0.1:${NODE}` }, testMatch: /server\.(node\.)?spec\.ts$/ }
	],
	webServer: [
		// SVELTE_SSE_E2E=1 opens the test-only endpoints under /e2e/ (src/hooks.server.ts)
		{ command: `npx vite preview --host 127.0.0.1 --port ${PREVIEW} --strictPort`, env: { SVELTE_SSE_E2E: '1' }, url: `http://127.0.0.1:${PREVIEW}`, reuseExistingServer: false, timeout: 60_000 },
		{ command: 'node build', env: { PORT: String(NODE), HOST: '127.0.0.1', SVELTE_SSE_E2E: '1' }, url: `http://127.0.0.1:${NODE}`, reuseExistingServer: false, timeout: 60_000 }
	]
})

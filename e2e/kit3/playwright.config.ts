import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

/** Playwright cannot download browsers here: it drives Debian's Chromium (or PLAYWRIGHT_CHROMIUM). */
const chromium = process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium'
if (!existsSync(chromium)) {
	throw new Error(
		`No Chromium at ${chromium}. Install it with \`apt-get install -y chromium\`, or set PLAYWRIGHT_CHROMIUM to a Chromium binary.`
	)
}

/** A port of its own: none of the root playwright.config.ts's servers uses it. */
const PORT = 4179

// Run by `npm run test:kit3` at the repository root, after `vite build`: the adapter-node build
// runs under `npm run`'s PATH, whose `node` is this fixture's Node 22 (the `node` devDependency).
export default defineConfig({
	testDir: 'tests',
	// not *.spec.ts: the root Playwright run (testDir e2e) must not pick this up
	testMatch: /\.e2e\.ts$/,
	outputDir: 'test-results',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 30_000,
	reporter: [['list']],
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		launchOptions: {
			executablePath: chromium,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
		},
		trace: 'off'
	},
	webServer: {
		command: 'node build',
		// ORIGIN: adapter-node's url for the requests, without which kit's CSRF check would see https
		env: { PORT: String(PORT), HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${PORT}` },
		url: `http://127.0.0.1:${PORT}/runtime`,
		reuseExistingServer: false,
		timeout: 60_000
	}
})

import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

/** Playwright cannot download browsers here: it drives Debian's Chromium (or PLAYWRIGHT_CHROMIUM). */
const chromium = process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium'
if (!existsSync(chromium)) {
	throw new Error(
		`No Chromium at ${chromium}. Install it with \`apt-get install -y chromium\`, or set PLAYWRIGHT_CHROMIUM to a Chromium binary.`
	)
}

/** Ports: the docs site's build, the site under `vite dev`, the e2e app (e2e/app) twice. */
const SITE = 4173
const DEV = 4176
const APP_PREVIEW = 4177
const APP_NODE = 4178

/** Specs against the e2e app's endpoints; the other specs are about the docs site. */
const APP_SPECS = /[/\\](server|last-event-id|redirect|share-getter|share-followers)\.spec\.ts$/
const DEV_SPECS = /[/\\]dev\.spec\.ts$/

/** A server Playwright starts, and waits for until `ready` answers. */
const server = (command: string, port: number, { env = {}, ready = '/' }: { env?: Record<string, string>; ready?: string } = {}) => ({
	command,
	env,
	url: `http://127.0.0.1:${port}${ready}`,
	reuseExistingServer: false,
	timeout: 60_000
})

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
		// the docs site's production build (`vite build`) under `vite preview`
		{ name: 'site', use: { baseURL: `http://127.0.0.1:${SITE}` }, testIgnore: [APP_SPECS, DEV_SPECS] },
		// the docs site under `vite dev`, which resolves some things (import.meta.glob) unlike a build;
		// Vite compiles each module on first request, hence the longer waits
		{ name: 'site-dev', use: { baseURL: `http://127.0.0.1:${DEV}` }, testMatch: DEV_SPECS, timeout: 60_000, expect: { timeout: 15_000 } },
		// the e2e app's endpoints (never part of the site) through `vite preview` and adapter-node
		{ name: 'app-preview', use: { baseURL: `http://127.0.0.1:${APP_PREVIEW}` }, testMatch: APP_SPECS },
		{ name: 'app-node', use: { baseURL: `http://127.0.0.1:${APP_NODE}` }, testMatch: APP_SPECS }
	],
	// `npm run test:e2e` builds the site and the e2e app (`npm run build:e2e-app`) first
	webServer: [
		server(`npx vite preview --host 127.0.0.1 --port ${SITE} --strictPort`, SITE),
		// ready with a static file: a page that fails must fail its test, not the whole run's start
		server(`npx vite dev --host 127.0.0.1 --port ${DEV} --strictPort`, DEV, { ready: '/favicon.svg' }),
		server(`cd e2e/app && npx vite preview --host 127.0.0.1 --port ${APP_PREVIEW} --strictPort`, APP_PREVIEW),
		server('node e2e/app/build', APP_NODE, { env: { PORT: String(APP_NODE), HOST: '127.0.0.1' } })
	]
})

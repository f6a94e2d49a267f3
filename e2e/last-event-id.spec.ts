/**
 * An event id beyond Latin-1 survives a reconnect (projects "app-preview" and "app-node"): the
 * e2e app's /last-event-id/[id] (e2e/app/src/routes/last-event-id) sends one event with id
 * `名-é-😀` and ends the stream; the client reconnects with Last-Event-ID, and the server reports
 * the `lastEventId` that produce() read. Browsers send the id's UTF-8 bytes; Fetch `Headers` on
 * the server hand them over one Latin-1 character per byte, so produce() has to decode them.
 */
import { expect, test, type TestInfo } from '@playwright/test'

const ID = '名-é-😀'

/** What the endpoint reports on a reconnect. */
interface Resumed {
	lastEventId: string
	/** The Last-Event-ID header as the server's `request.headers` gave it. */
	header: string | null
}

let counter = 0
const streamId = (testInfo: TestInfo) => `${testInfo.project.name}-${process.pid}-${Date.now()}-${++counter}`

test.describe('Last-Event-ID beyond Latin-1', () => {
	test("Chromium's native EventSource resumes produce() with the exact id", async ({ page }, testInfo) => {
		// a page of the app's own origin, so the EventSource needs no CORS
		await page.goto('/')
		const { first, resumed } = await page.evaluate(async (url) => {
			const source = new EventSource(url)
			try {
				return await new Promise<{ first: string[]; resumed: string }>((resolve, reject) => {
					const first: string[] = []
					source.addEventListener('first', (event) => first.push(event.lastEventId))
					source.addEventListener('resumed', (event) => resolve({ first, resumed: event.data }))
					setTimeout(() => reject(new Error(`No resumed event within 10 s; first events' ids: ${JSON.stringify(first)}`)), 10_000)
				})
			} finally {
				source.close()
			}
		}, `/last-event-id/${streamId(testInfo)}`)
		expect(first).toEqual([ID])
		const report = JSON.parse(resumed) as Resumed
		expect(report.lastEventId, `raw header ${JSON.stringify(report.header)}`).toBe(ID)
	})

	test("the library's Source resumes produce() with the exact id", async ({ page }, testInfo) => {
		const errors: string[] = []
		page.on('pageerror', (error) => errors.push(error.message))
		// e2e/app/src/routes/source/[id]/+page.svelte: `new Source('/last-event-id/[id]')`
		await page.goto(`/source/${streamId(testInfo)}`)
		await expect(page.locator('.first')).toHaveText('hello')
		await expect(page.locator('.last-event-id')).toHaveText(ID)
		// the reconnect's report, or the error that kept the client from reconnecting
		const resumed = page.locator('.resumed')
		await expect(page.locator('.resumed, .error').filter({ hasText: /./ }).first()).toBeVisible({ timeout: 10_000 })
		await expect(page.locator('.error')).toBeEmpty()
		await expect(resumed).not.toBeEmpty()
		const report = JSON.parse((await resumed.textContent())!) as Resumed
		expect(report.lastEventId, `raw header ${JSON.stringify(report.header)}`).toBe(ID)
		await expect(page.locator('.status')).toHaveText('open')
		expect(errors).toEqual([])
	})
})

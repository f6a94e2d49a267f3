import { expect, test, type Locator } from '@playwright/test'
import { open, textsWhen } from './site'

const number = async (locator: Locator) => Number(await locator.textContent())

test('the reconnect playground recovers from a killed stream and a pause without losing an event', async ({ page }) => {
	await open(page, '/demos/reconnect')
	const live = page.getByRole('region', { name: 'Reconnect playground' })
	const status = live.locator('.status-value')
	const received = live.locator('.received')
	const lastId = live.locator('.last-id')
	const connections = live.locator('.connections')
	const continuous = live.locator('.continuous')

	await expect(status).toHaveText('open')
	await expect(connections).toHaveText('1')
	await expect.poll(() => number(received)).toBeGreaterThanOrEqual(4)
	await expect(continuous).toHaveText('yes')

	// 1. the server ends the stream; the client reconnects on its own and resumes
	// (the last id is read in the page as the note appears: the client comes back after 0 to 1 s
	// of jitter and counts on 250 ms later, so a read after the assertion below could already be
	// past the reconnect, above the id the server resumes after)
	const atKill = await textsWhen(live, 'The server ended', ['.last-id'])
	await live.getByRole('button', { name: 'Kill stream' }).click()
	await expect(live.getByText('The server ended 1 stream.')).toBeVisible()
	const killedAt = Number((await atKill())[0])
	await expect(connections).toHaveText('2', { timeout: 10_000 })
	await expect(status).toHaveText('open')
	// the server got Last-Event-ID (events in flight when it was killed may still have arrived)
	await expect(live.locator('.resumed')).toHaveText(/^Resumed after id \d+\.$/)
	expect(Number((await live.locator('.resumed').textContent())!.match(/\d+/)![0])).toBeGreaterThanOrEqual(killedAt)
	await expect(live.locator('.attempt')).toHaveText('0')
	await expect.poll(() => number(lastId)).toBeGreaterThan(killedAt + 4)
	await expect(continuous).toHaveText('yes')
	await expect(live.locator('.gaps')).toHaveText('0 gaps')

	// 2. pause (close) and restore (connect): Last-Event-ID survives the pause
	await live.getByRole('button', { name: 'Pause' }).click()
	await expect(status).toHaveText('closed')
	const pausedAt = await number(lastId)
	await expect(live.getByRole('button', { name: 'Restore' })).toBeEnabled()
	await live.getByRole('button', { name: 'Restore' }).click()
	await expect(connections).toHaveText('3')
	await expect(status).toHaveText('open')
	await expect(live.locator('.resumed')).toHaveText(`Resumed after id ${pausedAt}.`)
	await expect.poll(() => number(lastId)).toBeGreaterThan(pausedAt + 4)

	// the ids are continuous and keep increasing: ids 1..n, each once, nothing lost
	await expect(continuous).toHaveText('yes')
	await expect(live.locator('.gaps')).toHaveText('0 gaps')
	const { count, last, shown } = await live.evaluate((root) => ({
		count: Number(root.querySelector('.received')!.textContent),
		last: Number(root.querySelector('.last-id')!.textContent),
		shown: [...root.querySelectorAll('.id-grid li')].map((li) => Number(li.textContent))
	}))
	expect(count).toBe(last)
	expect(shown.length).toBeGreaterThan(1)
	// newest first: last, last - 1, last - 2…
	shown.forEach((id, index) => expect(id).toBe(last - index))
})

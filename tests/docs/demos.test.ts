/**
 * The demos' own endpoints, called as SvelteKit calls them: what they do beyond the library
 * (its own tests cover that) must not leak either.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { POST } from '../../src/routes/(site)/demos/tokens/+server.js'

const warnings: Error[] = []
const onWarning = (warning: Error) => void warnings.push(warning)

afterEach(() => {
	process.off('warning', onWarning)
	warnings.length = 0
})

describe('the token stream demo', () => {
	it('streams a whole answer without piling up abort listeners on its signal', async () => {
		process.on('warning', onWarning)
		const request = new Request('http://localhost/demos/tokens', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: 'Why server-sent events?' })
		})
		const response = await POST({ request } as unknown as Parameters<typeof POST>[0])
		const text = await response.text()
		const tokens = text.split('event: token\n').length - 1
		expect(tokens).toBeGreaterThan(20)
		expect(text).toContain(`event: done\ndata: {"tokens":${tokens}}\n\n`)
		// Node warns once more than 10 listeners wait on one signal: one per token would be a leak
		await new Promise((resolve) => setTimeout(resolve, 10))
		expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning')
	}, 15_000)
})

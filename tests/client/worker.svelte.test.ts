// @vitest-environment node
/**
 * A Web Worker has the browser build but no `window` nor `document`: a Source must still
 * connect there. This file runs with the client project's browser conditions (esm-env's BROWSER
 * is true) in Node's environment, which has no window, as a worker has none.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Source } from '../../src/lib/index.js'
import { endpoints, type Endpoints } from './server.js'
import { until } from '../helpers/wait.js'

let server: Endpoints
beforeEach(async () => {
	server = await endpoints()
})
afterEach(() => server.close())

describe('Source where there is no window (a Web Worker)', () => {
	it('connects and receives events', async () => {
		expect(typeof window).toBe('undefined')
		const sse = new Source(server.url + '/worker')
		const seen: string[] = []
		const stop = sse.listen(({ data }) => seen.push(data))
		await until(() => server.open('/worker') === 1, 'the stream')
		server.emit('/worker', 'message', 'from the worker')
		await until(() => seen.length === 1, 'the event')
		expect(seen).toEqual(['from the worker'])
		stop()
		sse.close()
	})
})

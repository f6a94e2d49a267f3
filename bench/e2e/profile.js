import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'

/** Runs `run` under the V8 sampling profiler (100 µs) and writes the profile to `file` (open it in Chrome's DevTools). */
export async function profile(file, run) {
	const session = new Session()
	session.connect()
	const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))))
	try {
		await post('Profiler.enable')
		await post('Profiler.setSamplingInterval', { interval: 100 })
		await post('Profiler.start')
		await run()
		const { profile } = await post('Profiler.stop')
		writeFileSync(file, JSON.stringify(profile))
	} finally {
		session.disconnect()
	}
}

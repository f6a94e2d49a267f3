import { produce } from '$lib/server.js'
import type { RequestHandler } from './$types'

const STAGES = ['Reading the input', 'Crunching numbers', 'Writing the report']

/** A five-second job that reports its progress, then ends the stream. */
export const GET: RequestHandler = ({ request }) =>
	produce(
		({ emit, lock }) => {
			const started = Date.now()
			let percent = 0
			const report = () => emit('progress', { percent, stage: STAGES[Math.min(2, Math.floor(percent / 34))] })
			report()
			const timer = setInterval(() => {
				percent += 2
				report()
				if (percent === 100) {
					emit('done', { ms: Date.now() - started })
					// the job is over: end the stream (what was emitted is still delivered)
					lock.set(false)
				}
			}, 100)
			return () => clearInterval(timer)
		},
		{ request }
	)

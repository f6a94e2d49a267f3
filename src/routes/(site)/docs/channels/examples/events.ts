import { channel } from '$lib/server.js'

type Job = { id: string; kind: 'thumbnail' | 'transcode' }

const jobs = channel<{ queued: Job }>('jobs')

/** Your own work. */
declare function run(job: Job): Promise<void>

// a worker loop: it receives what is published once its subscription holds (a round trip with
// Redis or Postgres; pass `after` to miss nothing); events wait (up to maxQueued) while a job
// runs, and the loop ends when `signal` aborts
export async function work(signal: AbortSignal): Promise<void> {
	for await (const { event, data } of jobs.events({ signal, maxQueued: 10_000 })) {
		if (event === 'queued') await run(JSON.parse(data) as Job)
	}
}

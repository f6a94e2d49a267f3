/**
 * What this app's endpoints record about their streams, kept in this process's memory so that
 * e2e/server.spec.ts can ask the server (through /status/[id]) what happened on its side: when
 * an event was emitted, when and why `stop` ran, how a flood ended.
 */
import type { StopReason } from 'svelte-sse/server'

/** How the flood endpoint's producer ended, and the server's memory while it ran. */
export interface FloodRecord {
	/** How many `emit` calls returned `{ error: false }`. */
	accepted: number
	/** The error `emit` returned first, if any. */
	error?: { name: string; message: string }
	/** `process.memoryUsage().rss` when the stream started, in bytes. */
	rssBefore: number
	/** The largest RSS sampled while the producer ran, in bytes. */
	rssPeak: number
	/** How many RSS samples were taken. */
	samples: number
	/** True once the producer's loop has finished. */
	done: boolean
	/** Milliseconds the producer's loop ran. */
	elapsed?: number
}

/** One stream's record. Every field is plain data, so it can be sent as JSON. */
export interface Run {
	kind: 'incremental' | 'disconnect' | 'flood' | 'ping' | 'last-event-id'
	startedAt: number
	/** `Date.now()` when each named event was emitted. */
	emitted: Record<string, number>
	/** Set by the `stop` option of produce(). */
	stop?: { at: number; reason: StopReason }
	/** The headers of the Response that produce() returned, before any server touched them. */
	produced?: Record<string, string>
	flood?: FloodRecord
}

const runs = new Map<string, Run>()
// A test-only server should not grow without bound if the suite is run in a loop.
const MAX_RUNS = 1000

/** Starts (or restarts) the record for stream `id`. */
export function track(id: string, kind: Run['kind']): Run {
	runs.delete(id)
	if (runs.size >= MAX_RUNS) runs.delete(runs.keys().next().value as string)
	const run: Run = { kind, startedAt: Date.now(), emitted: {} }
	runs.set(id, run)
	return run
}

/** The record for stream `id`, if there is one. */
export function lookup(id: string): Run | undefined {
	return runs.get(id)
}

/** A `stop` option for produce() that records when and why the stream ended. */
export function recordStop(run: Run): (reason: StopReason) => void {
	return (reason) => {
		run.stop = { at: Date.now(), reason }
	}
}

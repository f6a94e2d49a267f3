/**
 * Calling the callbacks that a `Source` or a `Selection` holds, once per event. Each set is
 * called as it was when the event came: a callback added meanwhile waits for the next event, one
 * removed meanwhile is still called. Plain TypeScript, no runes.
 */
import { reportUncaught } from './errors.js'

/**
 * What to iterate to call the members of `set` as they are now: a copy, or, for the common one
 * member, that member alone (the copy showed in per-event profiles). Iterating the set itself
 * would also reach a member that a callback adds while it runs.
 */
export function snapshot<T>(set: ReadonlySet<T>): Iterable<T> {
	if (set.size !== 1) return [...set]
	for (const only of set) return [only]
	return []
}

/**
 * Calls every callback of `set`, as it is now, with `value` and `event`; one that throws cannot
 * stop the others. The common one member is taken out of the set before it runs, without a copy.
 */
export function notify<V, E>(set: ReadonlySet<(value: V, event: E) => void>, value: V, event: E): void {
	if (set.size === 1) {
		let only: ((value: V, event: E) => void) | undefined
		for (const run of set) only = run
		guard(only!, value, event)
	} else if (set.size > 1) {
		for (const run of [...set]) guard(run, value, event)
	}
}

function guard<V, E>(run: (value: V, event: E) => void, value: V, event: E): void {
	try {
		run(value, event)
	} catch (error) {
		reportUncaught(error)
	}
}

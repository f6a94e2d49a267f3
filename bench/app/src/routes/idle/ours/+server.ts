// Figure 4: svelte-sse with its defaults (an opening comment, a 15 s ping), nothing emitted.
import { produce } from 'svelte-sse/server'

export function GET(): Response {
	return produce(() => {})
}

import { getContext, hasContext, setContext } from 'svelte'
import type { EventMap, Source } from '../client/index.js'

const key = Symbol('svelte-sse source')

/** Makes `source` the one that `<Select>` and `getSource()` find below this component. */
export function setSource<Events extends EventMap>(source: Source<Events>): Source<Events> {
	return setContext(key, source)
}

/**
 * The `Source` of the nearest `<SSESource>` above the calling component.
 *
 * @throws {Error} when there is none.
 */
export function getSource<Events extends EventMap = Record<string, string>>(): Source<Events> {
	if (!hasContext(key)) {
		throw new Error('No source here: put this component inside <SSESource url="…">, or pass it a `source` prop.')
	}
	return getContext<Source<Events>>(key)
}

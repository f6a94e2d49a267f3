import { Source, type EventMap, type SourceOptions } from '$lib/index.js'

Source satisfies new <Events extends EventMap>(url: string | URL, options?: SourceOptions) => Source<Events>

import { Source, type EventMap, type MaybeGetter, type SourceOptions } from '$lib/index.js'

Source satisfies new <Events extends EventMap>(url: MaybeGetter<string | URL>, options?: MaybeGetter<SourceOptions>) => Source<Events>

import { produce, type ProduceOptions, type Start } from '$lib/server.js'

produce satisfies (start: Start, options?: ProduceOptions) => Response

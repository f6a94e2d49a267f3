import { source } from '$lib/index.js'

// keep your POST route as it is, and say so on the client:
const connection = source('/ticks', { method: 'POST' })

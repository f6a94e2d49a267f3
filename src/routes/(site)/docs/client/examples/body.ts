import { Source } from '$lib/index.js'

/** Your own audio capture: a new stream of bytes each time it is called. */
declare function microphone(): ReadableStream<Uint8Array>

// a stream can be read only once: a function gives every (re)connect a fresh one
const transcript = new Source('/transcribe', { method: 'POST', body: () => microphone() })
const words = transcript.select('word')

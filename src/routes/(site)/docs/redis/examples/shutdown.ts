import type { RedisBackend } from '$lib/redis/index.js'

/** The backend of src/lib/server/channels.ts. */
declare const backend: RedisBackend

// adapter-node emits this once the server has stopped, after SIGTERM or SIGINT: close the
// backend's connections so that the process can exit
process.on('sveltekit:shutdown', () => {
	void backend.close()
})

// The server entry ("svelte-sse/server"): everything a +server.ts needs, and nothing of the client.
export * from './server/index.js'
export { ProtocolError, HISTORY_LOST } from './protocol/index.js'
export type { EventMessage } from './protocol/index.js'

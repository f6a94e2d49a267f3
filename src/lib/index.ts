export * from './client/index.js'
export { ParseError, HISTORY_LOST } from './protocol/index.js'
export type { ServerSentEvent } from './protocol/index.js'
export { SSESource, EventSource, Select, getSource, setSource } from './components/index.js'

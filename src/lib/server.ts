export { ProtocolError } from './protocol/index.js'
export type { EventMessage } from './protocol/index.js'

export { ProtocolError } from './protocol/index.js'
export type { EventMessage } from './protocol/index.js'
export {
	produce,
	StreamClosedError,
	QueueFullError,
	DEFAULT_PING_INTERVAL,
	DEFAULT_MAX_QUEUED_BYTES
} from './server/index.js'
export type {
	ProduceOptions,
	Start,
	StartContext,
	Cleanup,
	Emit,
	EmitOptions,
	EmitResult,
	Unsafe,
	Lock,
	StopReason
} from './server/index.js'

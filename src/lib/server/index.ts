export {
	produce,
	StreamClosedError,
	QueueFullError,
	DEFAULT_PING_INTERVAL,
	DEFAULT_MAX_QUEUED_BYTES
} from './produce.js'
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
} from './produce.js'

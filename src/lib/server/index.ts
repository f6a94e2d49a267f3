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
	StopReason,
	EventMap
} from './produce.js'
export { channel, Channel } from './channel.js'
export type { Backend, StoredEvent, LiveListener, ChannelEvent, ChannelMessage, ChannelOptions, ChannelProduceOptions, SubscribeOptions, EventsOptions } from './channel.js'
export { memory } from './memory.js'
export type { MemoryOptions } from './memory.js'

export { encodeEvent, formatEvent, formatSized, sized, encodeComment, encodeRetry, checkRetry, utf8Length, ProtocolError, HISTORY_LOST } from './encode.js'
export type { EventMessage } from './encode.js'
export { createParser, ParseError, DEFAULT_MAX_BUFFER_SIZE } from './parse.js'
export type { Parser, ParserOptions, ServerSentEvent } from './parse.js'

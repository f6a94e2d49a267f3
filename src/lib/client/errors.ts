/**
 * Why a connection or a selection failed:
 * - `http`: the server answered with an error status (`status` holds it);
 * - `content-type`: the response was not `text/event-stream`;
 * - `network`: the request or the stream failed on the way;
 * - `timeout`: the stream sent nothing for `readTimeout` ms and is reconnected;
 * - `redirect`: a redirect that the `redirect` option does not allow (to another origin, by default);
 * - `options`: a function you passed (`headers`, `body`, `reconnect`) threw or returned nonsense; not retried;
 * - `parse`: the stream broke a limit of the parser (`maxBufferSize`);
 * - `json`, `schema`, `transform`: an event's data did not decode, validate or transform.
 */
export type SourceErrorKind = 'http' | 'content-type' | 'network' | 'timeout' | 'redirect' | 'options' | 'parse' | 'json' | 'schema' | 'transform'

/**
 * An error seen by a `Source` or a `Selection`: a failed request, a bad response, a broken
 * stream, or data that did not decode. `status` holds the HTTP status when there was one.
 */
export class SourceError extends Error {
	override name = 'SourceError'
	/** What went wrong. */
	readonly kind: SourceErrorKind
	/** The HTTP status of the response, when the error came from one. */
	readonly status: number | undefined

	constructor(
		message: string,
		options: { kind: SourceErrorKind; status?: number; cause?: unknown }
	) {
		super(message, { cause: options.cause })
		this.kind = options.kind
		this.status = options.status
	}
}

/**
 * Reports an error thrown by user code (a listener, a subscriber, `onerror`) without letting it
 * break the connection or the selection that called it: the page's error handlers see it, as
 * they would an uncaught error.
 */
export function reportUncaught(error: unknown): void {
	if (typeof globalThis.reportError === 'function') globalThis.reportError(error)
	else console.error(error)
}

/** Why a connection failed. */
export type SourceErrorKind = 'http' | 'content-type' | 'network' | 'parse' | 'json' | 'schema' | 'transform'

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

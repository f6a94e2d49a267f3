/** Small tools for reading server-sent event bodies in the server tests. */

/** Reads a body chunk by chunk, or until some text has arrived, decoding UTF-8 across chunks. */
export class BodyReader {
	readonly #reader: ReadableStreamDefaultReader<Uint8Array>
	readonly #decoder = new TextDecoder()
	/** Everything read so far. */
	text = ''

	constructor(body: ReadableStream<Uint8Array> | null) {
		if (!body) throw new Error('The response has no body')
		this.#reader = body.getReader()
	}

	/** The next chunk as text, or `undefined` when the body has ended. */
	async next(): Promise<string | undefined> {
		const { done, value } = await this.#reader.read()
		if (done) return undefined
		const chunk = this.#decoder.decode(value, { stream: true })
		this.text += chunk
		return chunk
	}

	/** Reads until `text` has arrived (counting from `from`); fails if the body ends first. */
	async until(text: string, from = 0): Promise<string> {
		while (this.text.indexOf(text, from) === -1) {
			if ((await this.next()) === undefined) {
				throw new Error(`The body ended before ${JSON.stringify(text)} arrived; got ${JSON.stringify(this.text)}`)
			}
		}
		return this.text
	}

	/** Reads to the end of the body and returns everything read. */
	async rest(): Promise<string> {
		while ((await this.next()) !== undefined) {
			// keep reading
		}
		return this.text
	}

	cancel(): Promise<void> {
		return this.#reader.cancel()
	}
}

/** A promise with its resolve function outside, for steps a test releases by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
	let resolve!: (value: T) => void
	const promise = new Promise<T>((r) => (resolve = r))
	return { promise, resolve }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Lets timers, I/O and pending promise callbacks run. */
export const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Resolves with `promise`, or fails with `what` after `ms` (a generous guard, not a measurement). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms)
	})
	try {
		return await Promise.race([promise, timeout])
	} finally {
		clearTimeout(timer)
	}
}

/** Polls until `check` returns true, or fails with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
	const deadline = Date.now() + ms
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`)
		await sleep(2)
	}
}

/** A recorder for `stop`/cleanup calls: how often, with which reasons, and a promise for the first. */
export function recorder<A extends unknown[] = []>() {
	const calls: A[] = []
	const first = deferred<A>()
	const fn = (...args: A) => {
		calls.push(args)
		if (calls.length === 1) first.resolve(args)
	}
	return { fn, calls, first: first.promise }
}

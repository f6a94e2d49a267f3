/** Waits until `check` returns a truthy value (polling), or fails with `what` after `timeout` ms. */
export async function until<T>(check: () => T, what: string, timeout = 3000): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeout
	for (;;) {
		const value = check()
		if (value) return value as NonNullable<T>
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`)
		await new Promise((resolve) => setTimeout(resolve, 5))
	}
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

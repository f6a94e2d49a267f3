import { fail } from '@sveltejs/kit'
import { channel, ProtocolError } from '$lib/server.js'
import type { Actions } from '@sveltejs/kit'

const orders = channel<{ placed: { sku: string; quantity: number } }>('orders')

/** Your own store. */
declare function saveOrder(sku: string, quantity: number): Promise<void>

export const actions: Actions = {
	place: async ({ request }) => {
		const form = await request.formData()
		const sku = String(form.get('sku'))
		const quantity = Number(form.get('quantity'))
		await saveOrder(sku, quantity)
		try {
			// resolves once the backend holds the event: every stream, on every instance, gets it
			const id = await orders.publish('placed', { sku, quantity })
			return { id }
		} catch (error) {
			// data JSON cannot carry (a BigInt, a cycle) or a name with CR, LF or NUL: nothing was stored
			if (error instanceof ProtocolError) return fail(400, { message: error.message })
			throw error
		}
	}
}

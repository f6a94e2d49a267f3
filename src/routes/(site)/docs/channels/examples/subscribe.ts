import { channel } from '$lib/server.js'

type Order = { id: string; sku: string; quantity: number }

const orders = channel<{ placed: Order }>('orders')

/** Your own: the id of the last event the mailer handled, kept across restarts. */
declare const cursor: { read(): Promise<string | undefined>; write(id: string): Promise<void> }
declare function sendConfirmation(order: Order): Promise<void>

// server code that reacts to events, here a mailer: first the events after the last one it
// handled, then every new one, in order
export async function startMailer(): Promise<() => void> {
	let done = Promise.resolve()
	return orders.subscribe(
		({ id, event, data }) => {
			// the one other event a listener can get is HISTORY_LOST: events after `after` are gone
			if (event !== 'placed') return console.warn(`orders before ${id} may have gone unmailed`)
			// one mail at a time, so the cursor only moves past orders that were mailed
			done = done
				.then(async () => {
					await sendConfirmation(JSON.parse(data) as Order)
					await cursor.write(id)
				})
				.catch((error: unknown) => console.error('mailer:', error))
		},
		{ after: await cursor.read() }
	)
}

import { z } from 'zod'

// The schemas check data at run time; the type is derived from them, so the two cannot drift.
export const Trade = z.object({ symbol: z.string(), price: z.number().positive(), size: z.number().int() })
export const Halt = z.object({ symbol: z.string(), reason: z.string() })

/** Every event of the market stream: its name, and the type of its data. */
export type MarketEvents = {
	trade: z.infer<typeof Trade>
	halt: z.infer<typeof Halt>
	/** A string event stays a string on the client: no JSON. */
	notice: string
}

import { z } from 'zod'
import { Source } from '$lib/index.js'

const sse = new Source('/match')
const Score = z.object({ home: z.number(), away: z.number() })

sse.select() // the events named 'message', as text
sse.select('comment') // the events named 'comment', as text
sse.select('score', Score) // decoded as JSON and validated: Selection<{ home: number; away: number }>
sse.select('final', { schema: Score, or: ({ previous }) => previous, initial: { home: 0, away: 0 } })

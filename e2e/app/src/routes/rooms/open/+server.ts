import { json } from '@sveltejs/kit'
import { streams } from '../streams.js'
import type { RequestHandler } from './$types'

/** Open streams per room. */
export const GET: RequestHandler = () => json(Object.fromEntries(streams))

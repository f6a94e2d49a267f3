// What the app runs on, so the test can check it is SvelteKit 3 on Node 22.
import { json, VERSION } from '@sveltejs/kit'
import type { RequestHandler } from './$types'

export const GET: RequestHandler = () => json({ node: process.versions.node, kit: VERSION })

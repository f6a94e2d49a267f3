import type { PageServerLoad } from './$types'

/** The clock demo's first value, so the server-rendered page already shows a time. */
export const load: PageServerLoad = () => ({ now: new Date().toISOString() })

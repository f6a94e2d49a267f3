import type { PageServerLoad } from './$types'

/** The clock's first value, rendered on the server (the client takes over at the first tick). */
export const load: PageServerLoad = () => ({ now: new Date().toISOString() })

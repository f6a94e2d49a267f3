import { error } from '@sveltejs/kit'
import type { PageLoad } from './$types'

// Any path no other route takes. Without this route SvelteKit answers a missing page with its
// root error page, outside the site's layout; this way ../+error.svelte shows it, in the layout.
export const load: PageLoad = ({ url }) => error(404, `There is no page at ${url.pathname}.`)

// `node --import ./bench/lib/register.js`: lets Node load sveltekit-sse's extensionless imports.
import { register } from 'node:module'

register('./extensionless.js', import.meta.url)

/**
 * A sample file as a reader sees it: inside this repository the library is `$lib`, in an app it
 * is the npm package; trailing blank lines go. Code.svelte shows this text and copies it, and the
 * build highlights exactly this text (build/plugin.ts), so the two always agree.
 */
export function shown(code: string): string {
	return code
		.replaceAll(`'$lib/server.js'`, `'svelte-sse/server'`)
		.replaceAll(`'$lib/index.js'`, `'svelte-sse'`)
		.replaceAll(`'$lib/redis/index.js'`, `'svelte-sse/redis'`)
		.replaceAll(`'$lib/postgres/index.js'`, `'svelte-sse/postgres'`)
		.replace(/\s+$/, '')
}

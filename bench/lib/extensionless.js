/**
 * Node module hooks for the benchmarks: sveltekit-sse's dist imports its own files without an
 * extension (`./ok`), which a bundler resolves but Node's ESM loader does not. For relative
 * specifiers inside node_modules/sveltekit-sse only, retry with `.js` appended.
 */
export async function resolve(specifier, context, next) {
	try {
		return await next(specifier, context)
	} catch (error) {
		const inPeer = context.parentURL?.includes('/node_modules/sveltekit-sse/')
		if (inPeer && error?.code === 'ERR_MODULE_NOT_FOUND' && specifier.startsWith('.') && !specifier.endsWith('.js')) {
			return next(`${specifier}.js`, context)
		}
		throw error
	}
}

// Modules the site's Vite plugin (build/plugin.ts) makes at build time.

declare module 'virtual:site-meta' {
	/** package.json's version. */
	export const version: string
	/** The repository's web address, from package.json. */
	export const repository: string
}

declare module 'virtual:site-search' {
	/** Every page of the site, read from its source: its URL, its h1 and its sections. */
	const pages: { href: string; title: string; sections: import('./search.js').SearchSection[] }[]
	export default pages
}

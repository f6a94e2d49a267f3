/**
 * Highlighted HTML for the sample files, keyed by their text. The build (build/plugin.ts) turns
 * every `?raw` import of a file under src/routes/(site) into a module that registers the file's
 * highlighted HTML here before it exports the text, so `<Code code={text}>` finds it without
 * any highlighter in the browser, and pages keep importing plain `?raw` strings.
 */

/** A sample's highlighted HTML (shiki's, light and dark colors at once) and its language's name. */
export interface Highlighted {
	html: string
	language: string
}

const registered = new Map<string, Highlighted>()

/** Called by the modules the build generates; `code` is the file's text as imported. */
export function register(code: string, html: string, language: string): void {
	registered.set(code, { html, language })
}

/** The highlighted form of an imported sample, or undefined for text that came from elsewhere. */
export function highlighted(code: string): Highlighted | undefined {
	return registered.get(code)
}

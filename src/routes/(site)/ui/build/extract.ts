/**
 * The words of a page, for the search index: read from the page's source with Svelte's own
 * parser, at build time (and on request under `vite dev`), split into sections at its h2 and h3.
 */
import { parse, type AST } from 'svelte/compiler'
import type { SearchSection } from '../search.js'

/** Elements that start a new line of text: their words never run into their neighbours'. */
const BLOCK = new Set(['p', 'li', 'dt', 'dd', 'div', 'section', 'article', 'aside', 'nav', 'ul', 'ol', 'dl', 'pre', 'figure', 'figcaption', 'table', 'tr', 'td', 'th', 'blockquote', 'h1', 'h4', 'br', 'header', 'footer', 'summary', 'details'])

/** Properties of the page's own data (an API page's entries) whose string values are read text. */
const READ = new Set(['title', 'text', 'intro', 'name', 'signature', 'description', 'label'])

interface Extracted {
	/** The h1's text. */
	title: string
	sections: SearchSection[]
}

type Node = AST.SvelteNode | AST.Fragment

/** The string a static attribute holds (`id="x"`), or undefined. */
function attribute(element: AST.RegularElement, name: string): string | undefined {
	for (const node of element.attributes) {
		if (node.type !== 'Attribute' || node.name !== name || !Array.isArray(node.value)) continue
		if (node.value.every((part) => part.type === 'Text')) return node.value.map((part) => (part as AST.Text).data).join('')
	}
	return undefined
}

/** Visits the nodes of a template in document order: `visit` returns false to skip a node's insides. */
function walk(node: Node, visit: (node: Node) => boolean): void {
	if (node.type === 'Fragment') {
		for (const child of node.nodes) walk(child, visit)
		return
	}
	if (!visit(node)) return
	// an element's or a block's insides are fragments: `fragment`, `consequent`, `body`, ...
	for (const value of Object.values(node)) {
		if (value && typeof value === 'object' && (value as { type?: string }).type === 'Fragment') walk(value as AST.Fragment, visit)
	}
}

/** The readable text inside a template node. */
function textOf(node: Node): string {
	let text = ''
	walk(node, (child) => {
		if (child.type === 'Text') text += child.data
		else if (child.type === 'ExpressionTag' && child.expression.type === 'Literal' && typeof child.expression.value === 'string') text += child.expression.value
		else if (child.type === 'RegularElement' && BLOCK.has(child.name)) text += '\n'
		return child.type !== 'RegularElement' || (child.name !== 'style' && child.name !== 'script')
	})
	return text
}

/** String values of the page's own data, for pages that render a list from their script. */
function dataOf(root: AST.Root): string[] {
	const found: string[] = []
	const visit = (value: unknown): void => {
		if (!value || typeof value !== 'object') return
		if (Array.isArray(value)) return value.forEach(visit)
		const node = value as { type?: string; key?: { type: string; name?: string }; value?: { type: string; value?: unknown } }
		if (node.type === 'ImportDeclaration') return
		if (node.type === 'Property' && node.key?.type === 'Identifier' && READ.has(node.key.name!) && node.value?.type === 'Literal' && typeof node.value.value === 'string') {
			found.push(node.value.value)
		}
		for (const [key, child] of Object.entries(value)) if (key !== 'loc' && key !== 'leadingComments') visit(child)
	}
	visit(root.instance?.content)
	return found
}

/** Whitespace folded, so the index holds text as it reads. */
const tidy = (text: string) => text.replace(/\s+/g, ' ').trim()

/** A page's title (its h1) and its sections, from its `+page.svelte` source. */
export function extract(source: string, filename: string): Extracted {
	const root = parse(source, { modern: true, filename })
	let title = ''
	const sections: { id?: string; heading?: string; text: string }[] = [{ text: '' }]
	walk(root.fragment, (node) => {
		if (node.type === 'SvelteHead' || node.type === 'Comment') return false
		if (node.type === 'RegularElement') {
			if (node.name === 'style' || node.name === 'script') return false
			if (node.name === 'h1') {
				title = tidy(textOf(node))
				return false
			}
			const id = attribute(node, 'id')
			const heading = tidy(textOf(node))
			// a heading with an id starts a section; one without (or with a computed id) is text
			if ((node.name === 'h2' || node.name === 'h3') && id && heading) {
				sections.push({ id, heading, text: '' })
				return false
			}
		}
		const current = sections[sections.length - 1]!
		if (node.type === 'Text') current.text += node.data
		else if (node.type === 'ExpressionTag' && node.expression.type === 'Literal' && typeof node.expression.value === 'string') current.text += node.expression.value
		else if (node.type === 'RegularElement' && BLOCK.has(node.name)) current.text += '\n'
		return true
	})
	sections[0]!.text += '\n' + dataOf(root).join('\n')
	return {
		title,
		sections: sections
			.map((section) => ({ ...section, text: tidy(section.text) }))
			.filter((section, index) => index > 0 || section.text.length > 0)
	}
}

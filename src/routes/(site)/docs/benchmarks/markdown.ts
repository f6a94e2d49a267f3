/**
 * The little Markdown that bench/RESULTS.md uses, as data for the page to render: headings,
 * paragraphs, pipe tables, lists, images and fenced code; inline code, bold and links. Nothing is
 * turned into HTML strings, so the page never needs {@html}.
 */

export type Inline =
	| { kind: 'text'; text: string }
	| { kind: 'code'; text: string }
	| { kind: 'strong'; text: string }
	| { kind: 'link'; text: string; href: string }

export type Align = 'left' | 'right' | 'center' | undefined

export type Block =
	| { kind: 'heading'; level: number; id: string; content: Inline[] }
	| { kind: 'paragraph'; content: Inline[] }
	| { kind: 'list'; ordered: boolean; items: Inline[][] }
	| { kind: 'table'; align: Align[]; head: Inline[][]; rows: Inline[][][] }
	| { kind: 'image'; alt: string; src: string }
	| { kind: 'code'; text: string }

const INLINE = /`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g

/** Splits a line of text into plain text, code spans, bold and links. */
export function inline(text: string): Inline[] {
	const parts: Inline[] = []
	let last = 0
	for (const match of text.matchAll(INLINE)) {
		if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) })
		const [, code, strong, label, href] = match
		if (code !== undefined) parts.push({ kind: 'code', text: code })
		else if (strong !== undefined) parts.push({ kind: 'strong', text: strong })
		else parts.push({ kind: 'link', text: label!, href: href! })
		last = match.index + match[0].length
	}
	if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) })
	return parts
}

/** A heading's id: its words in lowercase, joined by dashes. */
export function slug(text: string): string {
	return text
		.toLowerCase()
		.replace(/[`*]/g, '')
		.replace(/[^\p{L}\p{N}]+/gu, '-')
		.replace(/^-|-$/g, '')
}

/** The cells of a table row: `| a | b |` gives `['a', 'b']`; `\|` stays in its cell. */
function cells(line: string): string[] {
	const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '')
	return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|'))
}

function alignOf(cell: string): Align {
	const left = cell.startsWith(':')
	const right = cell.endsWith(':')
	return left && right ? 'center' : right ? 'right' : left ? 'left' : undefined
}

const LIST_ITEM = /^(?:[-*]|\d+\.)\s+/

/** Parses a Markdown document into blocks; heading ids are made unique within it. */
export function parse(markdown: string): Block[] {
	const lines = markdown.replace(/\r\n?/g, '\n').split('\n')
	const blocks: Block[] = []
	const ids = new Map<string, number>()
	let index = 0

	while (index < lines.length) {
		const line = lines[index]!
		if (line.trim() === '') {
			index++
			continue
		}
		if (line.startsWith('```')) {
			const body: string[] = []
			index++
			while (index < lines.length && !lines[index]!.startsWith('```')) body.push(lines[index++]!)
			index++
			blocks.push({ kind: 'code', text: body.join('\n') })
			continue
		}
		const heading = /^(#{1,6})\s+(.*)$/.exec(line)
		if (heading) {
			const text = heading[2]!.trim()
			const base = slug(text) || 'section'
			const seen = ids.get(base) ?? 0
			ids.set(base, seen + 1)
			blocks.push({ kind: 'heading', level: heading[1]!.length, id: seen ? `${base}-${seen + 1}` : base, content: inline(text) })
			index++
			continue
		}
		const image = /^!\[([^\]]*)\]\(([^)\s]+)\)\s*$/.exec(line)
		if (image) {
			blocks.push({ kind: 'image', alt: image[1]!, src: image[2]! })
			index++
			continue
		}
		if (line.trimStart().startsWith('|') && /^\s*\|?\s*:?-{3,}/.test(lines[index + 1] ?? '')) {
			const head = cells(line).map(inline)
			const align = cells(lines[index + 1]!).map(alignOf)
			const rows: Inline[][][] = []
			index += 2
			while (index < lines.length && lines[index]!.trimStart().startsWith('|')) rows.push(cells(lines[index++]!).map(inline))
			blocks.push({ kind: 'table', align, head, rows })
			continue
		}
		if (LIST_ITEM.test(line)) {
			const ordered = /^\d/.test(line)
			const items: Inline[][] = []
			while (index < lines.length && LIST_ITEM.test(lines[index]!)) {
				let text = lines[index++]!.replace(LIST_ITEM, '')
				// an item's continuation lines are indented
				while (index < lines.length && /^\s+\S/.test(lines[index]!) && !LIST_ITEM.test(lines[index]!.trimStart())) text += ' ' + lines[index++]!.trim()
				items.push(inline(text))
			}
			blocks.push({ kind: 'list', ordered, items })
			continue
		}
		// a paragraph: lines up to a blank line or the start of another block
		const text: string[] = [lines[index++]!.trim()]
		while (
			index < lines.length &&
			lines[index]!.trim() !== '' &&
			!/^(#{1,6}\s|```|!\[|\s*\|)/.test(lines[index]!) &&
			!LIST_ITEM.test(lines[index]!)
		)
			text.push(lines[index++]!.trim())
		blocks.push({ kind: 'paragraph', content: inline(text.join(' ')) })
	}
	return blocks
}

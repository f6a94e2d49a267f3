/**
 * The site search: the index's shape (built at build time, served as /search.json) and the
 * ranking that runs in the browser over it. No service, no library: a few hundred sections.
 */

/** One section of a page: the text under one h2 or h3 (or above the first one). */
export interface SearchSection {
	/** The heading's id, to link to; none for the page's opening. */
	id?: string
	heading?: string
	text: string
}

/** One page in the index. */
export interface SearchPage {
	href: string
	title: string
	/** The sidebar group it belongs to. */
	group: string
	sections: SearchSection[]
}

/** A piece of a snippet; `match` pieces are what the query found. */
export interface Piece {
	text: string
	match: boolean
}

export interface SearchResult {
	href: string
	title: string
	group: string
	heading?: string
	snippet: Piece[]
}

/** Lower case without accents, so "resume" finds "résumé". */
const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()

/** The words of a query. */
export const terms = (query: string) => fold(query).split(/[^\p{L}\p{N}$_.-]+/u).filter((term) => term.length > 0)

/** How well `text` holds `term`: a whole word beats the start of one, which beats the inside of one. */
function weight(text: string, term: string): number {
	const at = text.indexOf(term)
	if (at === -1) return 0
	const before = at === 0 || /[^\p{L}\p{N}]/u.test(text[at - 1]!)
	const after = at + term.length === text.length || /[^\p{L}\p{N}]/u.test(text[at + term.length]!)
	return before && after ? 3 : before ? 2 : 1
}

/** About `length` characters of `text` around the first match, the matches marked. */
function snippet(text: string, found: string[], length = 140): Piece[] {
	const folded = fold(text)
	// folding can change lengths (rare ligatures); then mark nothing rather than the wrong letters
	const aligned = folded.length === text.length
	const first = Math.min(...found.map((term) => folded.indexOf(term)).filter((at) => at >= 0), text.length)
	const start = first > length / 3 ? text.lastIndexOf(' ', first - length / 3) + 1 : 0
	const end = Math.min(text.length, start + length)
	const cut = text.slice(start, end)
	const pieces: Piece[] = []
	if (start > 0) pieces.push({ text: '…', match: false })
	let at = 0
	const lower = folded.slice(start, end)
	while (aligned && at < cut.length) {
		const next = found
			.map((term) => ({ term, index: lower.indexOf(term, at) }))
			.filter(({ index }) => index >= 0)
			.sort((a, b) => a.index - b.index || b.term.length - a.term.length)[0]
		if (!next) break
		if (next.index > at) pieces.push({ text: cut.slice(at, next.index), match: false })
		pieces.push({ text: cut.slice(next.index, next.index + next.term.length), match: true })
		at = next.index + next.term.length
	}
	if (at < cut.length) pieces.push({ text: cut.slice(at), match: false })
	if (end < text.length) pieces.push({ text: '…', match: false })
	return pieces
}

/**
 * The sections that hold every word of `query`, best first: a word in a page's title counts most,
 * then in a heading, then in the text. At most `limit` results.
 */
export function search(index: SearchPage[], query: string, limit = 12): SearchResult[] {
	const words = terms(query)
	if (words.length === 0) return []
	const scored: (SearchResult & { score: number; order: number })[] = []
	let order = 0
	for (const page of index) {
		const title = fold(page.title)
		for (const section of page.sections) {
			order++
			const heading = fold(section.heading ?? '')
			const text = fold(section.text)
			let score = 0
			for (const word of words) {
				const found = 8 * weight(title, word) + 4 * weight(heading, word) + weight(text, word)
				if (found === 0) {
					score = 0
					break
				}
				score += found
			}
			if (score === 0) continue
			// a page's opening stands for the page: it wins a tie with its own sections
			if (section.id === undefined) score += 1
			scored.push({
				href: section.id ? `${page.href}#${section.id}` : page.href,
				title: page.title,
				group: page.group,
				heading: section.heading,
				snippet: snippet(section.text, words.filter((word) => text.includes(word))),
				score,
				order
			})
		}
	}
	return scored
		.sort((a, b) => b.score - a.score || a.order - b.order)
		.slice(0, limit)
		.map(({ score: _score, order: _order, ...result }) => result)
}

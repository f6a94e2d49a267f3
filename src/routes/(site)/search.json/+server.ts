import { json } from '@sveltejs/kit'
import extracted from 'virtual:site-search'
import { pages } from '../nav'
import type { SearchPage } from '../ui/search'

/** Built once by `vite build` into a static file; computed on request under `vite dev`. */
export const prerender = true

/**
 * The search index: every page in the sidebar's order with its sidebar title and group, then any
 * page the sidebar does not list (such as the recipes' index), under its own h1.
 */
export const GET = () => {
	const listed = pages.flatMap((page) => {
		const found = extracted.find((candidate) => candidate.href === page.href)
		return found ? [{ href: page.href, title: page.title, group: page.group, sections: found.sections }] : []
	})
	const others = extracted
		.filter((page) => !listed.some((candidate) => candidate.href === page.href))
		.map((page) => ({ href: page.href, title: page.title, group: 'More', sections: page.sections }))
	return json([...listed, ...others] satisfies SearchPage[])
}

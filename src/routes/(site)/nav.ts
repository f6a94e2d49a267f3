/**
 * The site's plan: every page, grouped, in reading order. The sidebar, the search index
 * (search.json) and the end-to-end tests (e2e/site.ts) all read it, so a page added here is
 * linked, searchable and tested; a page missing from disk fails those tests instead of hiding.
 */

/** One page of the site. */
export interface NavPage {
	/** The link text, in the sidebar and in search results. */
	title: string
	href: string
}

/** A titled group of pages in the sidebar. */
export interface NavGroup {
	title: string
	pages: NavPage[]
}

export const nav: NavGroup[] = [
	{
		title: 'Start',
		pages: [
			{ title: 'Home', href: '/' },
			{ title: 'Getting started', href: '/docs/getting-started' },
			{ title: 'Migration from sveltekit-sse', href: '/docs/migration' }
		]
	},
	{
		title: 'Server',
		pages: [
			{ title: 'produce()', href: '/docs/server' },
			{ title: 'Typed events and schemas', href: '/docs/typed-events' }
		]
	},
	{
		title: 'Client',
		pages: [
			{ title: 'Source and Selection', href: '/docs/client' },
			{ title: 'SSR without a gap', href: '/docs/ssr' },
			{ title: 'Cross-tab sharing', href: '/docs/sharing' }
		]
	},
	{
		title: 'Components',
		pages: [{ title: 'Components', href: '/docs/components' }]
	},
	{
		title: 'Channels and backends',
		pages: [
			{ title: 'Channels', href: '/docs/channels' },
			{ title: 'Redis backend', href: '/docs/redis' },
			{ title: 'Postgres backend', href: '/docs/postgres' }
		]
	},
	{
		title: 'Recipes',
		pages: [
			{ title: 'LLM token streaming', href: '/demos/tokens' },
			{ title: 'Job progress', href: '/demos/progress' },
			{ title: 'Per-user notifications', href: '/demos/notifications' },
			{ title: 'Chat room', href: '/demos/chat' },
			{ title: 'Live dashboard', href: '/demos/dashboard' },
			{ title: 'Clock', href: '/demos/clock' },
			{ title: 'Schema validation', href: '/demos/schema' },
			{ title: 'Reconnect playground', href: '/demos/reconnect' },
			{ title: 'Resume after a restart', href: '/demos/resume' },
			{ title: 'Shared across tabs', href: '/demos/shared' }
		]
	},
	{
		title: 'Reference',
		pages: [
			{ title: 'API', href: '/docs/api' },
			{ title: 'Deployment', href: '/docs/deployment' },
			{ title: 'Benchmarks', href: '/docs/benchmarks' }
		]
	}
]

/** Every page of the plan in sidebar order, with the title of its group. */
export const pages: (NavPage & { group: string })[] = nav.flatMap((group) => group.pages.map((page) => ({ ...page, group: group.title })))

/** The page at `pathname`, if the plan has one. */
export const pageAt = (pathname: string) => pages.find((page) => page.href === pathname)

/**
 * Every file a demo shows beside itself, as text, keyed like `./chat/room.ts`. One pattern per
 * file, not one brace list: Vite's dev server reads a brace list starting with `+` as an extglob
 * and matches nothing (its build does not), which broke every demo under `vite dev`.
 */
const sources = import.meta.glob<string>(
	[
		'./*/+server.ts',
		'./*/+page.server.ts',
		'./*/Demo.svelte',
		'./*/room.ts',
		'./*/types.ts',
		'./*/streams.ts',
		'./*/ticker.ts',
		'./*/users.ts',
		'./*/Inbox.svelte',
		'./*/fleet.ts',
		'./*/Sparkline.svelte'
	],
	{
		query: '?raw',
		import: 'default',
		eager: true
	}
)

/**
 * The demos, in the order the home page shows them and /demos lists them; `anchor` is their
 * home page section and their folder, `files` what they show, in reading order.
 */
export const demos = [
	{ href: '/demos/clock', anchor: 'clock', title: 'Clock', text: 'The server emits its time every second; the page shows it.', files: ['+server.ts', 'Demo.svelte'] },
	{ href: '/demos/chat', anchor: 'chat', title: 'Chat room', text: 'POST a message, every open window receives it. Open two.', files: ['+server.ts', 'room.ts', 'Demo.svelte', 'types.ts'] },
	{ href: '/demos/progress', anchor: 'progress', title: 'Progress', text: 'A five-second job reports its progress and ends its stream.', files: ['+server.ts', 'Demo.svelte'] },
	{ href: '/demos/tokens', anchor: 'tokens', title: 'LLM token streaming', text: 'POST a prompt with a JSON body; the answer streams word by word, and Cancel stops it on the server too.', files: ['+server.ts', 'Demo.svelte'] },
	{ href: '/demos/schema', anchor: 'schema', title: 'Schema validation', text: 'JSON stock ticks checked with zod, broken ones reported.', files: ['+server.ts', 'Demo.svelte'] },
	{ href: '/demos/reconnect', anchor: 'reconnect', title: 'Reconnect playground', text: 'Kill the stream, pause it, restore it: no event is lost.', files: ['+server.ts', 'streams.ts', 'Demo.svelte'] },
	{ href: '/demos/shared', anchor: 'shared', title: 'Shared across tabs', text: 'Open it in several tabs: one stream for all of them, and none misses an event when a tab closes.', files: ['+server.ts', 'ticker.ts', 'Demo.svelte'] },
	{ href: '/demos/resume', anchor: 'resume', title: 'Resume after a restart', text: 'End every stream of a channel while it publishes: clients come back and miss nothing.', files: ['+server.ts', 'streams.ts', 'Demo.svelte'] },
	{ href: '/demos/notifications', anchor: 'notifications', title: 'Per-user notifications', text: 'Sign in as one of three users; each stream carries only its user’s notifications, and 401 without a session.', files: ['+server.ts', 'users.ts', '+page.server.ts', 'Demo.svelte', 'Inbox.svelte', 'types.ts'] },
	{ href: '/demos/dashboard', anchor: 'dashboard', title: 'Live dashboard', text: 'Four simulated servers publish on one channel; the page draws their CPU and memory as sparklines.', files: ['+server.ts', 'fleet.ts', 'Demo.svelte', 'Sparkline.svelte', 'types.ts'] }
]

/** The files demo `anchor` shows, named by their path in this repository, for a DemoFrame. */
export function filesOf(anchor: string): { name: string; code: string }[] {
	const demo = demos.find((candidate) => candidate.anchor === anchor)
	if (!demo) throw new Error(`No demo "${anchor}"`)
	return demo.files.map((file) => {
		const code = sources[`./${anchor}/${file}`]
		if (code === undefined) throw new Error(`The ${anchor} demo has no ${file}`)
		return { name: `src/routes/(site)/demos/${anchor}/${file}`, code }
	})
}

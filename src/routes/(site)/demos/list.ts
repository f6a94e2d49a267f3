/** The demos, in the order the home page shows them and /demos lists them; `anchor` is their home page section. */
export const demos = [
	{ href: '/demos/clock', anchor: 'clock', title: 'Clock', text: 'The server emits its time every second; the page shows it.' },
	{ href: '/demos/chat', anchor: 'chat', title: 'Chat room', text: 'POST a message, every open window receives it. Open two.' },
	{ href: '/demos/progress', anchor: 'progress', title: 'Progress', text: 'A five-second job reports its progress and ends its stream.' },
	{ href: '/demos/tokens', anchor: 'tokens', title: 'Token stream', text: 'POST a prompt with a JSON body; the answer streams word by word.' },
	{ href: '/demos/schema', anchor: 'schema', title: 'Schema validation', text: 'JSON stock ticks checked with zod, broken ones reported.' },
	{ href: '/demos/reconnect', anchor: 'reconnect', title: 'Reconnect playground', text: 'Kill the stream, pause it, restore it: no event is lost.' }
]

// Figure 4: sveltekit-sse with its defaults (30 s ping). It sends nothing until the first event,
// so the stream opens with one event (`id: 1`, `event: open`, empty data) for the client to see.
import { produce } from 'sveltekit-sse'

export function GET(): Response {
	return produce(({ emit }) => {
		emit('open', '')
	})
}

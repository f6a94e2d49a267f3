// sveltekit-sse
import { produce } from 'sveltekit-sse'

export function POST() {
	return produce(function start({ emit }) {
		const timer = setInterval(() => {
			const { error } = emit('tick', JSON.stringify({ now: Date.now() }))
			if (error) clearInterval(timer)
		}, 1000)
		return () => clearInterval(timer)
	}, { ping: 30_000 })
}

// Server-only: four simulated servers, each its own producer with its own pace, publishing
// their readings on one channel. They run while someone watches the dashboard.
import { channel, type ChannelProduceOptions } from '$lib/server.js'
import { POINTS, SERVERS, type DashboardEvents, type Sample } from './types'

export const metrics = channel<DashboardEvents>('demos/dashboard')

/** Each server's pace (ms between readings) and the load it hovers around (%). */
const PROFILES = {
	'web-1': { every: 1000, cpu: 35, memory: 55 },
	'web-2': { every: 1000, cpu: 30, memory: 50 },
	'db-1': { every: 1500, cpu: 55, memory: 75 },
	'worker-1': { every: 700, cpu: 70, memory: 40 }
} satisfies Record<(typeof SERVERS)[number], object>

/** The last POINTS readings of each server, for viewers that arrive later. */
const recent: Record<string, Sample[]> = Object.fromEntries(SERVERS.map((name) => [name, []]))

const clamp = (value: number) => Math.round(Math.min(100, Math.max(0, value)) * 10) / 10
/** A random walk that leans back towards `base`. */
const step = (value: number, base: number, spread: number) => clamp(value + (base - value) * 0.2 + (Math.random() - 0.5) * spread)

/** Starts every producer; returns what stops them. */
function start(): () => void {
	const timers = SERVERS.map((name) => {
		const { every, cpu, memory } = PROFILES[name]
		let last = recent[name]!.at(-1) ?? { server: name, cpu, memory, at: Date.now() }
		return setInterval(() => {
			last = { server: name, cpu: step(last.cpu, cpu, 20), memory: step(last.memory, memory, 4), at: Date.now() }
			recent[name] = [...recent[name]!, last].slice(-POINTS)
			metrics.publish('sample', last).catch(console.error)
		}, every)
	})
	return () => timers.forEach(clearInterval)
}

let viewers = 0
let stopProducers: (() => void) | undefined

/** Options for one viewer's stream: the recent readings first, and the producers run while anyone watches. */
export function watching(): ChannelProduceOptions<DashboardEvents> {
	let state: 'joining' | 'watching' | 'gone' = 'joining'
	return {
		initial: ({ emit }) => {
			if (state !== 'joining') return // the viewer left before its stream was live
			state = 'watching'
			if (viewers++ === 0) stopProducers = start()
			// no id: the client's last id must stay one of the channel's
			emit('recent', recent)
		},
		stop: () => {
			if (state === 'watching' && --viewers === 0) stopProducers?.()
			state = 'gone'
		}
	}
}

import { error } from '@sveltejs/kit'
import { channel } from '$lib/server.js'
import type { RequestHandler } from '@sveltejs/kit'

type Alert = { level: 'info' | 'warning' | 'critical'; text: string }
type AlertEvents = { alert: Alert; status: { open: number } }

const alerts = channel<AlertEvents>('alerts')

/** Your own store. */
declare function countOpenAlerts(): Promise<number>

export const GET: RequestHandler = ({ request, url }) => {
	const wanted = url.searchParams.getAll('level')
	if (wanted.length === 0) error(400, 'Ask for at least one ?level=')

	return alerts.produce(request, {
		// per subscriber: this client gets only the levels it asked for (data is the JSON text)
		filter: (event) => event.event !== 'alert' || wanted.includes((JSON.parse(event.data) as Alert).level),
		// sent to this client first; the channel's events that arrive meanwhile wait, none is lost
		initial: async ({ emit }) => {
			emit('status', { open: await countOpenAlerts() })
		},
		// and the options of produce() that make sense for a channel's stream
		retry: 2_000,
		ping: 20_000,
		headers: { 'access-control-allow-origin': 'https://status.example.com' },
		maxQueuedBytes: 256 * 1024,
		stop: (reason) => console.log(`alert stream ended: ${reason}`)
	})
}

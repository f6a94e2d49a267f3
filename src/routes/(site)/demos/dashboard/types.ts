/** One reading of one server. */
export interface Sample {
	server: string
	/** Percent, 0 to 100. */
	cpu: number
	memory: number
	/** The server's clock when it was taken (ms since the epoch). */
	at: number
}

/** The dashboard's channel: every reading as it comes, and the recent ones for a new viewer. */
export type DashboardEvents = {
	sample: Sample
	recent: Record<string, Sample[]>
}

/** The simulated servers, known to the page too, so it lays out their cards before any reading. */
export const SERVERS = ['web-1', 'web-2', 'db-1', 'worker-1'] as const

/** How many readings a sparkline shows. */
export const POINTS = 40

export function median(values) {
	const sorted = [...values].sort((a, b) => a - b)
	const middle = sorted.length >> 1
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** min, median (`value`) and max of a list. */
export function spread(values) {
	return { value: median(values), min: Math.min(...values), max: Math.max(...values) }
}

/** A ratio (or difference) of medians, with the min and max of the same-round ratios (`perRound`) as its spread. */
export const ratioSpread = (value, perRound) => ({ value, min: Math.min(...perRound), max: Math.max(...perRound) })

export const formatInt = (value) => Math.round(value).toLocaleString('en-US')
export const formatMiB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

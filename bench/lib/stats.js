export function median(values) {
	const sorted = [...values].sort((a, b) => a - b)
	const middle = sorted.length >> 1
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export const formatInt = (value) => Math.round(value).toLocaleString('en-US')
export const formatMiB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

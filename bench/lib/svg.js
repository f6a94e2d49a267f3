/**
 * A hand-written SVG bar chart of the benchmark ratios: one row per comparison on a shared
 * log2 axis (so 2× faster and 2× larger sit the same distance from parity), a line at 1×, and a
 * tick at each row's target. Green: target met; red: missed; grey: context, no target.
 */

const MIN = 1 / 64
const MAX = 8
const WIDTH = 1010
const LABEL = 380
const PLOT = 400
const ROW = 26
const TOP = 56
const BOTTOM = 40

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const x = (ratio) => LABEL + (PLOT * (Math.log2(Math.min(MAX, Math.max(MIN, ratio))) - Math.log2(MIN))) / (Math.log2(MAX) - Math.log2(MIN))

/**
 * @param {{ name: string, ratio: number, target?: number, better: 'higher' | 'lower', met?: boolean }[]} rows
 */
export function renderRatios(rows) {
	const height = TOP + rows.length * ROW + BOTTOM
	const parts = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
		`<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
		`<text x="12" y="22" font-size="15" font-weight="600">svelte-sse benchmarks: ratios against peers (log scale)</text>`,
		`<text x="12" y="40" fill="#555">bar = measured ratio; black tick = target; green met, red missed, grey context. (↑) higher is better, (↓) lower is better.</text>`
	]
	// grid
	for (let power = Math.log2(MIN); power <= Math.log2(MAX); power++) {
		const value = 2 ** power
		const gx = x(value).toFixed(1)
		parts.push(`<line x1="${gx}" y1="${TOP - 4}" x2="${gx}" y2="${TOP + rows.length * ROW}" stroke="${value === 1 ? '#333' : '#e3e3e3'}" stroke-width="${value === 1 ? 1.5 : 1}"/>`)
		const label = value >= 1 ? `${value}×` : `1/${1 / value}`
		parts.push(`<text x="${gx}" y="${TOP + rows.length * ROW + 16}" text-anchor="middle" fill="#555">${label}</text>`)
	}
	rows.forEach((row, index) => {
		const y = TOP + index * ROW
		const color = row.met === undefined ? '#9e9e9e' : row.met ? '#2e7d32' : '#c62828'
		const from = x(1)
		const to = x(row.ratio)
		const left = Math.min(from, to)
		const width = Math.max(1, Math.abs(to - from))
		const arrow = row.better === 'higher' ? '↑' : '↓'
		parts.push(`<text x="${LABEL - 8}" y="${y + 16}" text-anchor="end">${escape(`${row.name} (${arrow})`)}</text>`)
		parts.push(`<rect x="${left.toFixed(1)}" y="${y + 5}" width="${width.toFixed(1)}" height="${ROW - 10}" fill="${color}" rx="2"/>`)
		if (row.target !== undefined) {
			const tx = x(row.target).toFixed(1)
			parts.push(`<line x1="${tx}" y1="${y + 1}" x2="${tx}" y2="${y + ROW - 1}" stroke="#000" stroke-width="2"/>`)
		}
		const status = row.met === undefined ? '' : row.met ? ' met' : ' MISSED'
		const clipped = row.ratio > MAX || row.ratio < MIN ? ' (off scale)' : ''
		parts.push(
			`<text x="${LABEL + PLOT + 10}" y="${y + 16}" fill="${color}">${row.ratio.toFixed(2)}×${row.target === undefined ? '' : ` / ${row.better === 'higher' ? '≥' : '≤'} ${row.target}`}${status}${clipped}</text>`
		)
	})
	parts.push('</svg>')
	return parts.join('\n') + '\n'
}

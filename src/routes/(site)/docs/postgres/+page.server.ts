import { migration } from '$lib/postgres/index.js'
import type { PageServerLoad } from './$types'

/** One CREATE TABLE statement with a column per line. */
function layOut(statement: string): string {
	const open = statement.indexOf('(')
	const close = statement.lastIndexOf(')')
	if (open < 0 || close < open) return statement
	const columns: string[] = []
	let depth = 0
	let start = open + 1
	for (let index = start; index < close; index++) {
		const character = statement[index]
		if (character === '(') depth++
		else if (character === ')') depth--
		else if (character === ',' && depth === 0) {
			columns.push(statement.slice(start, index).trim())
			start = index + 1
		}
	}
	columns.push(statement.slice(start, close).trim())
	return `${statement.slice(0, open).trimEnd()} (\n\t${columns.join(',\n\t')}\n)${statement.slice(close + 1)}`
}

/** The tables' SQL as the backend itself makes it, so the page cannot drift from the code. */
export const load: PageServerLoad = () => ({ ddl: migration().split('\n').map(layOut).join('\n\n') })

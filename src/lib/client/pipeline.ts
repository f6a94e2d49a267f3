/**
 * How a selection turns an event's raw data into its value: a chain of stages (JSON decoding,
 * schema validation, user transforms). Plain TypeScript, shared by every `Selection`.
 */
import { SourceError } from './errors.js'
import type { StandardResult, StandardSchemaV1 } from './schema.js'

/** One step: takes the previous step's output, returns a value or a promise of one, throws a SourceError. */
export type Stage = (input: unknown) => unknown
/** Makes a fresh stage; stages may remember what they produced last (the `or` fallback's `previous`). */
export type StageFactory = () => Stage

/**
 * What an `or` fallback receives: from `json(or)` when the data is not valid JSON, from
 * `select(event, { schema, or })` when it does not match the schema.
 */
export interface JsonFallback<T> {
	/** Why the data was refused. */
	error: SourceError
	/** The data as it arrived. */
	raw: string
	/** The value before this event, if any. */
	previous: T | undefined
}

export function jsonStage<T>(or?: (fallback: JsonFallback<T>) => T | undefined): StageFactory {
	return () => {
		let previous: T | undefined
		return (input) => {
			const raw = String(input)
			try {
				previous = JSON.parse(raw) as T
			} catch (cause) {
				const error = new SourceError(`The data is not valid JSON: ${raw.length > 80 ? raw.slice(0, 80) + '…' : raw}`, { kind: 'json', cause })
				if (!or) throw error
				previous = or({ error, raw, previous })
			}
			return previous
		}
	}
}

export function transformStage<In, Out>(fn: (value: In) => Out): StageFactory {
	return () => (input) => fn(input as In)
}

function describeIssues(result: StandardResult<unknown>): string {
	if (!result.issues) return ''
	return result.issues
		.map(({ message, path }) => {
			const at = path?.map((part) => String(typeof part === 'object' ? part.key : part)).join('.')
			return at ? `${at}: ${message}` : message
		})
		.join('; ')
}

/**
 * Validates with a Standard Schema. Event data is text, so the decoded JSON is tried first and
 * the raw text second: `z.object(...)` gets the object, `z.string()` still accepts "123".
 * Data that matches neither goes to `or` when given, and is an error otherwise.
 */
export function schemaStage<T>(schema: StandardSchemaV1, or?: (fallback: JsonFallback<T>) => T | undefined): StageFactory {
	const validate = (value: unknown) => schema['~standard'].validate(value)
	const settle = (candidates: unknown[], index: number, firstIssues: string): unknown => {
		const result = validate(candidates[index])
		const next = (outcome: StandardResult<unknown>): unknown => {
			if (!outcome.issues) return outcome.value
			const issues = firstIssues || describeIssues(outcome)
			if (index + 1 < candidates.length) return settle(candidates, index + 1, issues)
			throw new SourceError(`The data does not match the schema: ${issues}`, { kind: 'schema', cause: outcome.issues })
		}
		return result instanceof Promise ? result.then(next) : next(result)
	}
	return () => {
		let previous: T | undefined
		const keep = (value: unknown) => (previous = value as T)
		const fallBack = (error: unknown, raw: string) => {
			if (!or || !(error instanceof SourceError) || error.kind !== 'schema') throw error
			return keep(or({ error, raw, previous }))
		}
		return (input) => {
			const raw = String(input)
			const candidates: unknown[] = []
			try {
				candidates.push(JSON.parse(raw))
			} catch {
				// not JSON: only the text itself can match
			}
			if (candidates.length === 0 || candidates[0] !== raw) candidates.push(raw)
			let outcome: unknown
			try {
				outcome = settle(candidates, 0, '')
			} catch (error) {
				return fallBack(error, raw)
			}
			if (outcome instanceof Promise) return outcome.then(keep, (error: unknown) => fallBack(error, raw))
			return keep(outcome)
		}
	}
}

/** Runs stages in order, going asynchronous only when a stage returns a promise. */
export function runStages(stages: Stage[], input: unknown, from = 0): unknown {
	let value = input
	for (let index = from; index < stages.length; index++) {
		if (value instanceof Promise) return value.then((settled) => runStages(stages, settled, index))
		value = stages[index]!(value)
	}
	return value
}

/**
 * The part of the Standard Schema v1 interface (standardschema.dev) that svelte-sse reads:
 * zod, valibot, arktype and others implement it, so any of them can validate event data.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
	readonly '~standard': {
		readonly version: 1
		readonly vendor: string
		readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
		readonly types?: { readonly input: Input; readonly output: Output } | undefined
	}
}

/** The outcome of a Standard Schema validation. */
export type StandardResult<Output> =
	| { readonly value: Output; readonly issues?: undefined }
	| { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> }

/** The type a schema produces. */
export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output']

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
	return typeof value === 'object' && value !== null && '~standard' in value
}

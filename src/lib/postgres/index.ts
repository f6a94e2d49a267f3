// The Postgres entry ("svelte-sse/postgres"): a channel backend on a table and LISTEN/NOTIFY.
export { postgres, migration, PostgresUnavailableError } from './postgres.js'
export type { PostgresOptions, PostgresBackend, PostgresSql, PostgresQuery } from './postgres.js'

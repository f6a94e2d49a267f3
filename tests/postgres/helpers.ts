/**
 * Postgres for the tests: the one at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * and, for the restart test, a private cluster of our own (initdb + pg_ctl on a free port in a
 * temporary directory), so that restarting it disturbs nothing else on the machine.
 */
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgresJs from 'postgres'
import { freePort } from '../helpers/instances.js'
import { sleep } from '../helpers/wait.js'

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A table name no other run uses. */
export const uniqueTable = () => `sse_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`

/** A postgres.js instance for tests: quiet, and quick to reconnect. */
export function connect(url: string = DATABASE_URL, options: postgresJs.Options<Record<string, never>> = {}) {
	return postgresJs(url, { onnotice: () => {}, max: 4, backoff: () => 0.05, connect_timeout: 2, ...options })
}

/** The rows of an events table for one channel, in id order: what the backend kept. */
export async function kept(url: string, table: string, channel: string): Promise<Array<{ id: string; data: string }>> {
	const sql = connect(url, { max: 1 })
	try {
		const rows = await sql.unsafe(`SELECT e.id::text AS id, e.data FROM "${table}" e WHERE e.channel = $1 ORDER BY e.id`, [channel])
		return rows.map((row) => ({ id: String(row.id), data: String(row.data) }))
	} finally {
		await sql.end()
	}
}

/** Drops an events table and its counters. */
export async function drop(url: string, table: string): Promise<void> {
	const sql = connect(url, { max: 1 })
	try {
		await sql.unsafe(`DROP TABLE IF EXISTS "${table}", "${table}_channels"`)
	} finally {
		await sql.end()
	}
}


/** The newest installed Postgres's binaries (Debian keeps them off PATH, in /usr/lib/postgresql/<version>/bin). */
function binaries(): string {
	const root = '/usr/lib/postgresql'
	const versions = existsSync(root) ? readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', 'initdb'))) : []
	versions.sort((a, b) => Number(b) - Number(a))
	if (versions[0] !== undefined) return join(root, versions[0], 'bin')
	try {
		return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
	} catch {
		throw new Error('The Postgres restart test needs initdb and pg_ctl: install Debian\'s `postgresql` package (.ci/run does).')
	}
}

/**
 * A Postgres cluster of our own on a free port. Postgres refuses to run as root, so as root the
 * cluster belongs to the `postgres` user and its commands run through runuser.
 */
export async function privatePostgres(): Promise<{ url: string; stop(): Promise<void>; start(): Promise<void>; remove(): Promise<void> }> {
	const bin = binaries()
	const port = await freePort()
	const dir = mkdtempSync(join(tmpdir(), 'svelte-sse-postgres-'))
	const root = process.getuid?.() === 0
	if (root) {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }))
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
		chownSync(dir, uid, gid)
	}
	const run = (command: string, args: string[]) =>
		root ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { stdio: 'ignore' }) : execFileSync(join(bin, command), args, { stdio: 'ignore' })
	const data = join(dir, 'data')
	run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'])
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`
	let running = false
	const start = async () => {
		// fsync off: an immediate stop is a crash of Postgres, not of the machine, so the WAL in the OS's cache is enough
		run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start'])
		running = true
		for (let tries = 0; tries < 100; tries++) {
			const sql = connect(url, { max: 1 })
			try {
				await sql`SELECT 1`
				return
			} catch {
				await sleep(50)
			} finally {
				await sql.end({ timeout: 0 })
			}
		}
		throw new Error(`the private Postgres did not start on port ${port}`)
	}
	/** Stops Postgres at once, as a crash would: committed transactions survive in the WAL. */
	const stop = async () => {
		run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop'])
		running = false
	}
	await start()
	return {
		url,
		start,
		stop,
		remove: async () => {
			if (running) await stop()
			rmSync(dir, { recursive: true, force: true })
		}
	}
}

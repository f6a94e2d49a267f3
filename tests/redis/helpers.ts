/**
 * Redis for the tests: the one at REDIS_URL (default redis://127.0.0.1:6379), and, for the
 * restart test, a private redis-server of our own that persists every write (so that a restart
 * keeps what it acknowledged).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
import { freePort } from '../helpers/instances.js'
import { sleep } from '../helpers/wait.js'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A key prefix no other run uses. */
export const uniquePrefix = () => `sse-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`

/** The entries of a stream, straight from Redis: what the backend kept. */
export async function kept(url: string, key: string): Promise<Array<{ id: string; data: string }>> {
	const client = createClient({ url })
	await client.connect()
	try {
		const entries = (await client.sendCommand(['XRANGE', key, '-', '+'])) as Array<[string, string[]]>
		return entries.map(([id, fields]) => ({ id, data: fields[fields.indexOf('data') + 1]! }))
	} finally {
		await client.close()
	}
}

/** Deletes the keys that start with `prefix`. */
export async function clear(url: string, prefix: string): Promise<void> {
	const client = createClient({ url })
	await client.connect()
	try {
		const keys = (await client.sendCommand(['KEYS', `${prefix}*`])) as string[]
		if (keys.length > 0) await client.sendCommand(['DEL', ...keys])
	} finally {
		await client.close()
	}
}


/** A redis-server of our own, on a free port, writing every command to disk before answering. */
export async function privateRedis(): Promise<{ url: string; stop(): Promise<void>; start(): Promise<void>; remove(): Promise<void> }> {
	const port = await freePort()
	const dir = mkdtempSync(join(tmpdir(), 'svelte-sse-redis-'))
	const url = `redis://127.0.0.1:${port}`
	let child: ChildProcess | undefined
	const start = async () => {
		child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' })
		for (let tries = 0; tries < 100; tries++) {
			const client = createClient({ url, socket: { reconnectStrategy: false } })
			client.on('error', () => {})
			try {
				await client.connect()
				await client.close()
				return
			} catch {
				await sleep(50)
			}
		}
		throw new Error(`redis-server did not start on port ${port}`)
	}
	const stop = async () => {
		const exited = new Promise((resolve) => child?.once('exit', resolve))
		child?.kill('SIGKILL')
		await exited
		child = undefined
	}
	await start()
	return {
		url,
		start,
		stop,
		remove: async () => {
			if (child) await stop()
			rmSync(dir, { recursive: true, force: true })
		}
	}
}

/** Server child processes for the benchmarks: fork, wait for typed IPC messages, stop. */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// Paths from this folder, not `new URL(…, import.meta.url)`: Vite rewrites that pattern when the
// end-to-end benchmark loads this file as browser code.
const here = dirname(fileURLToPath(import.meta.url))

/** Starts the server child; resolves with its port and a way to stop it. */
export async function startServer(script, { args = [], execArgv = [] } = {}) {
	const child = fork(resolve(here, script), args, {
		execArgv: ['--import', resolve(here, 'register.js'), ...execArgv],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	})
	const messages = []
	const waiters = []
	child.on('exit', (code) => {
		for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${script} exited (${code}) while we waited for '${waiter.type}'.`))
	})
	child.on('message', (message) => {
		const waiter = waiters.findIndex((w) => w.type === message.type)
		if (waiter >= 0) waiters.splice(waiter, 1)[0].resolve(message)
		else messages.push(message)
	})
	const next = (type) => {
		const queued = messages.findIndex((m) => m.type === type)
		if (queued >= 0) return Promise.resolve(messages.splice(queued, 1)[0])
		if (child.exitCode !== null) return Promise.reject(new Error(`${script} has exited.`))
		return new Promise((resolve, reject) => waiters.push({ type, resolve, reject }))
	}
	const listening = await next('listening')
	return {
		child,
		port: listening.port,
		/** The whole 'listening' message, for servers that report more than one port. */
		listening,
		next,
		send: (message) => child.send(message),
		async stop() {
			if (child.exitCode !== null) return
			const exited = once(child, 'exit')
			child.disconnect()
			const timer = setTimeout(() => child.kill(), 5000)
			await exited
			clearTimeout(timer)
		}
	}
}


/**
 * App instances as processes of their own, for the multi-process backend tests: a TypeScript
 * entry built into one file with Vite, then run with Node; each prints `listening <url>`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { build } from 'vite'

/** Builds `entry` (a .ts file) into `outDir` and returns the script Node runs. */
export async function buildInstance(entry: string, outDir: string): Promise<string> {
	await build({ configFile: false, logLevel: 'silent', build: { ssr: entry, outDir, emptyOutDir: true, target: 'node20' } })
	return `${outDir}/${entry.split('/').pop()!.replace(/\.ts$/, '.js')}`
}

/** Starts `script` with `env` and resolves with its url once it listens; `children` collects it for cleanup. */
export async function startInstance(script: string, env: Record<string, string>, children: ChildProcess[]): Promise<{ url: string; child: ChildProcess }> {
	const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
	children.push(child)
	const lines = createInterface({ input: child.stdout! })
	const url = await new Promise<string>((resolve, reject) => {
		lines.on('line', (line) => line.startsWith('listening ') && resolve(line.slice('listening '.length)))
		child.once('exit', (code) => reject(new Error(`the instance exited with ${code}`)))
	})
	return { url, child }
}

/** A TCP port nothing listens on right now, for a private server. */
export async function freePort(): Promise<number> {
	const server = createServer()
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	const { port } = server.address() as { port: number }
	await new Promise((resolve) => server.close(resolve))
	return port
}

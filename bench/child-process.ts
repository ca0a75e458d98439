/**
 * The bench's child processes (the API, the workers, the bare read handler):
 * each a Node process of its own, so the load generator never shares their
 * event loop and each one's memory can be read.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { projectRoot } from '../config.js'
import { inheritedEnvironment } from './environment.js'
import { pause } from './load.js'

export interface BenchChild {
  pid: number
  /** Resident set size now, in KiB. */
  rssKiB(): Promise<number>
  stop(): Promise<void>
}

export interface BenchChildOptions {
  /** A TypeScript entry point, relative to the project root. */
  script: string
  args?: string[]
  /** Options for Node itself (`--cpu-prof`), before the entry point. */
  nodeArgs?: string[]
  /** Variables added to this process's environment. */
  env?: Record<string, string>
  /** Ready once it sends `'ready'` over IPC (the default), or once this answers true. */
  ready?: () => Promise<boolean>
}

/** Starts a TypeScript entry point under tsx and waits until it is ready. */
export async function startChild(options: BenchChildOptions): Promise<BenchChild> {
  const entry = fileURLToPath(new URL(`../${options.script}`, import.meta.url))
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', entry, ...(options.args ?? [])], {
    cwd: projectRoot,
    env: { ...inheritedEnvironment(), ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  await readyOrExit(child, options)
  const pid = child.pid ?? 0
  return {
    pid,
    async rssKiB() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8')
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
    },
    stop: () => stopChild(child),
  }
}

async function readyOrExit(child: ChildProcess, options: BenchChildOptions): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${options.script} exited with ${code} before it was ready`))),
  )
  const ready = options.ready
    ? (async () => {
        while (!(await options.ready?.().catch(() => false))) await pause(200)
      })()
    : new Promise<void>((resolve) => child.on('message', (message) => message === 'ready' && resolve()))
  await Promise.race([ready, exited])
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

/**
 * stripe-mock (Stripe's official API mock, built from its OpenAPI spec) for
 * tests that check our requests against the real API's shapes. It keeps no
 * state, so the guarantees are proven against tests/support/fake-stripe.ts.
 * Install it with `go install github.com/stripe/stripe-mock@latest`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { freePort } from '../../dev/free-port.js'

/** Where the stripe-mock binary is: the PATH, then Go's bin folder; null when it is not installed. */
export function findStripeMock(): string | null {
  const folders = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    if (gopath) folders.push(...gopath.split(delimiter).map((path) => join(path, 'bin')))
  } catch {
    // No Go toolchain: only the PATH and the default GOPATH are searched.
  }
  folders.push(join(homedir(), 'go', 'bin'))
  return folders.map((folder) => join(folder, 'stripe-mock')).find((path) => existsSync(path)) ?? null
}

export interface RunningStripeMock {
  url: string
  stop(): Promise<void>
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Starts stripe-mock on a free loopback port and waits until it accepts connections. */
export async function startStripeMock(binary: string): Promise<RunningStripeMock> {
  const port = await freePort()
  const child: ChildProcess = spawn(binary, ['-http-port', String(port)], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 30_000
  while (!(await accepting(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`stripe-mock did not start on port ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

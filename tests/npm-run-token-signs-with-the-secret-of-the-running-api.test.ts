/**
 * `npm run token` signs with this shell's secret; when that is not the
 * running API's (JWT_SECRET set only for `npm start`, another DATA_DIR) it
 * says so and prints no token, and the API's own 401 says what to check.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { badSignatureDetail } from '../api/access-tokens.js'
import { projectRoot } from '../config.js'
import { freePort } from '../dev/free-port.js'
import { type RunningServer, serveApp } from '../api/serve.js'
import { inProcessApp, type InProcessApp } from './support/in-process-app.js'

const run = promisify(execFile)
/** The secret the running API was started with, as `JWT_SECRET=… npm start` would. */
const stackSecret = 'the-secret-npm-start-was-given-0123456789'

let api: InProcessApp
let server: RunningServer
let dataDir: string

beforeAll(async () => {
  api = inProcessApp({ jwtSecret: stackSecret })
  server = await serveApp(api.app, { host: '127.0.0.1', port: 0 })
  dataDir = await mkdtemp(join(tmpdir(), 'order-engine-token-'))
})
afterAll(async () => {
  await server?.close()
  await api?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** `npm run token` as a shell with `env` runs it (no JWT_SECRET unless given). */
async function token(env: Record<string, string>, args: string[] = []) {
  const { JWT_SECRET: _unset, ...inherited } = process.env
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'cli/token.ts', ...args], {
      cwd: projectRoot,
      env: { ...inherited, DATA_DIR: dataDir, PORT: String(server.port), ...env },
      timeout: 60_000,
    })
    return { code: 0, stdout: stdout.trim(), stderr: stderr.trim() }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout.trim(), stderr: failed.stderr.trim() }
  }
}

const ordersWith = (bearer: string) => api.app.request('/v1/orders', { headers: { Authorization: `Bearer ${bearer}` } })

describe('npm run token', () => {
  it('prints a token the running API accepts when this shell has its secret', async () => {
    const made = await token({ JWT_SECRET: stackSecret })
    expect(made.code).toBe(0)
    expect((await ordersWith(made.stdout)).status).toBe(200)
  }, 90_000)

  it('refuses, saying which secret to set, when JWT_SECRET was given only to npm start', async () => {
    const made = await token({})
    console.log(`exit ${made.code}; stderr:\n${made.stderr}`)
    expect(made.code).toBe(1)
    expect(made.stdout).toBe('')
    expect(made.stderr).toContain('uses another JWT secret than this shell')
    expect(made.stderr).toContain('JWT_SECRET')
    expect(made.stderr).toContain(join(dataDir, 'jwt.secret'))
    expect(made.stderr).not.toContain(stackSecret)
  }, 90_000)

  it('prints the token with a note when no API answers to check it', async () => {
    const made = await token({ JWT_SECRET: stackSecret, PORT: String(await freePort()) })
    expect(made.code).toBe(0)
    expect(made.stderr).toMatch(
      /^note: not checked against an API \(none answered at http:\/\/127\.0\.0\.1:\d+\); signed with JWT_SECRET$/,
    )
    expect((await ordersWith(made.stdout)).status).toBe(200)
  }, 90_000)
})

describe('the API', () => {
  it('answers a token signed with another secret with a 401 saying what to check, and nothing of the secret', async () => {
    const other = await token({ JWT_SECRET: 'some-other-secret-of-another-shell-0123' }, ['--no-check'])
    const answer = await ordersWith(other.stdout)
    const text = await answer.text()
    expect(answer.status).toBe(401)
    expect(JSON.parse(text)).toMatchObject({ code: 'unauthenticated', detail: badSignatureDetail })
    expect(text).not.toContain(stackSecret)
    console.log(`401 detail: "${badSignatureDetail}"`)
  }, 90_000)
})

import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

/**
 * `npm test` and `npm start` load the embedded PostgreSQL module, whose exit
 * hook library used to answer `beforeExit` with `process.exit(0)`: a run whose
 * tests failed exited 0, and CI went green on red tests.
 */
describe('the embedded PostgreSQL module', () => {
  it('leaves the exit code a process ends with alone', () => {
    const script = "await import('./dev/embedded-postgres.ts'); process.exitCode = 3"
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(child.stderr).toBe('')
    expect(child.status).toBe(3)
  })
})

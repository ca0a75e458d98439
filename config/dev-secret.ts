import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Reads a secret kept in the data directory, creating it on first use (the
 * config's secret fields are getters, so nothing is written until one is read). This
 * is how a fresh clone gets a JWT secret and a carrier secret with no setup;
 * production sets JWT_SECRET and CARRIER_WEBHOOK_SECRET instead.
 */
export function devSecret(dataDir: string, name: string): string {
  const file = join(dataDir, `${name}.secret`)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
}

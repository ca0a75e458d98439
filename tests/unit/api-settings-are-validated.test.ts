import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseRateLimit, parseSize } from '../../config.js'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tmpdir(), ...env })
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('API protection settings', () => {
  it('default to the documented values', () => {
    const config = loadConfig({ DATA_DIR: tmpdir() })
    expect(config.auth).toMatchObject({
      issuer: 'order-engine',
      audience: 'order-engine-api',
      jwksUrl: null,
      jwksAlgorithms: ['RS256', 'ES256'],
    })
    expect(config.api).toMatchObject({
      corsAllowedOrigins: [],
      bodyLimitBytes: 65_536,
      requestTimeoutMs: 15_000,
      metricsToken: null,
    })
    expect(config.rateLimits).toEqual({
      placeOrder: { limit: 20, windowMs: 60_000 },
      adminActions: { limit: 60, windowMs: 60_000 },
    })
  })

  it('read sizes and rates the way the README writes them', () => {
    expect(parseSize('64KiB')).toBe(65_536)
    expect(parseSize('1mb')).toBe(1_048_576)
    expect(parseSize('4096')).toBe(4_096)
    expect(parseSize('lots')).toBeNull()
    expect(parseRateLimit('20/1m')).toEqual({ limit: 20, windowMs: 60_000 })
    expect(parseRateLimit('5 / 10s')).toEqual({ limit: 5, windowMs: 10_000 })
    expect(parseRateLimit('0/1m')).toBeNull()
    expect(parseRateLimit('20 per minute')).toBeNull()
    const config = loadConfig({
      DATA_DIR: tmpdir(),
      REQUEST_BODY_LIMIT: '16KiB',
      REQUEST_TIMEOUT: '5s',
      RATE_LIMIT_PLACE_ORDER: '3/1h',
      JWKS_URL: 'https://id.example/.well-known/jwks.json',
      JWKS_ALGORITHMS: 'ES256',
    })
    expect(config.api.bodyLimitBytes).toBe(16_384)
    expect(config.api.requestTimeoutMs).toBe(5_000)
    expect(config.rateLimits.placeOrder).toEqual({ limit: 3, windowMs: 3_600_000 })
    expect(config.auth.jwksAlgorithms).toEqual(['ES256'])
  })

  it('refuse what would weaken the API, naming each variable', () => {
    const fields = (env: Record<string, string>) => problemsOf(env).map((problem) => problem.split(':')[0])
    expect(
      fields({
        JWKS_URL: 'https://id.example/jwks.json',
        JWKS_ALGORITHMS: 'HS256,none',
        REQUEST_BODY_LIMIT: 'huge',
        RATE_LIMIT_ADMIN_ACTIONS: 'many',
        METRICS_TOKEN: 'short',
      }).sort(),
    ).toEqual(['JWKS_ALGORITHMS', 'METRICS_TOKEN', 'RATE_LIMIT_ADMIN_ACTIONS', 'REQUEST_BODY_LIMIT'])
    expect(fields({ JWKS_ALGORITHMS: 'RS256' })).toEqual(['JWKS_ALGORITHMS'])
  })

  it('in production, need https for the JWKS, and no JWT_SECRET once a JWKS is set', () => {
    const production = {
      NODE_ENV: 'production',
      CARRIER_WEBHOOK_SECRET: 'carrier-secret-0123456789',
      TEMPORAL_PAYLOAD_KEYS: `prod-1:${Buffer.alloc(32, 7).toString('base64')}`,
    }
    expect(problemsOf({ ...production, JWKS_URL: 'http://id.example/jwks.json' })).toEqual([
      'JWKS_URL: must be https:// when NODE_ENV=production',
    ])
    expect(problemsOf({ ...production, JWKS_URL: 'https://id.example/jwks.json' })).toEqual([])
    expect(problemsOf(production)[0]).toMatch(/^JWT_SECRET: required/)
  })
})

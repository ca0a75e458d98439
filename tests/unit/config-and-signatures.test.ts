import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { carrierSignatureProblem, signCarrierPayload } from '../../api/carrier-signature.js'
import { ConfigError, loadConfig, parseDuration } from '../../config.js'

describe('configuration', () => {
  it('lists every invalid variable at once', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', COD_CONFIRMATION_TIMEOUT: 'soon', STORE_CURRENCY: 'usd' })
    expect(attempt).toThrow(ConfigError)
    try {
      attempt()
    } catch (error) {
      const fields = (error as ConfigError).problems.map((problem) => problem.split(':')[0])
      expect(fields.sort()).toEqual(['COD_CONFIRMATION_TIMEOUT', 'PORT', 'STORE_CURRENCY'])
    }
  })

  it('demands real secrets in production and generates dev secrets that persist', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required[\s\S]*CARRIER_WEBHOOK_SECRET: required/)
    const dataDir = mkdtempSync(join(tmpdir(), 'config-test-'))
    const first = loadConfig({ DATA_DIR: dataDir }).auth.jwtSecret
    expect(first.length).toBeGreaterThanOrEqual(32)
    expect(loadConfig({ DATA_DIR: dataDir }).auth.jwtSecret).toBe(first)
  })

  it('reads durations like 48h, and defaults the COD deadline to 48 hours', () => {
    expect(parseDuration('48h')).toBe(172_800_000)
    expect(parseDuration('1500ms')).toBe(1_500)
    expect(parseDuration('2 days')).toBeNull()
    expect(loadConfig({ DATA_DIR: tmpdir() }).orders.codConfirmationTimeoutMs).toBe(172_800_000)
  })

  it('reads PAYPAL_INTENT: AUTHORIZE by default, CAPTURE when set, nothing else', () => {
    const paypal = { DATA_DIR: tmpdir(), PAYPAL_CLIENT_ID: 'client', PAYPAL_CLIENT_SECRET: 'secret' }
    expect(loadConfig(paypal).payments.paypal?.intent).toBe('AUTHORIZE')
    expect(loadConfig({ ...paypal, PAYPAL_INTENT: 'CAPTURE' }).payments.paypal?.intent).toBe('CAPTURE')
    expect(() => loadConfig({ ...paypal, PAYPAL_INTENT: 'BOGUS' })).toThrow(ConfigError)
    expect(() => loadConfig({ ...paypal, PAYPAL_INTENT: 'BOGUS' })).toThrow(/PAYPAL_INTENT: /)
  })
})

describe('carrier webhook signatures', () => {
  const secret = 'carrier-secret-0123456789'
  const body = '{"eventId":"e1"}'

  it('accept a fresh signature over the exact body', () => {
    expect(carrierSignatureProblem(secret, signCarrierPayload(secret, body), body)).toBeNull()
  })

  it('refuse a changed body, another secret, a stale timestamp and a missing header', () => {
    const header = signCarrierPayload(secret, body)
    expect(carrierSignatureProblem(secret, header, '{"eventId":"e2"}')).toBe('the signature does not match')
    expect(carrierSignatureProblem('another-secret-0123456', header, body)).toBe('the signature does not match')
    const old = signCarrierPayload(secret, body, Date.now() - 301_000)
    expect(carrierSignatureProblem(secret, old, body)).toBe('the signature timestamp is outside the tolerance')
    expect(carrierSignatureProblem(secret, undefined, body)).toMatch(/missing/)
    expect(carrierSignatureProblem(secret, 't=abc,v1=zz', body)).toMatch(/malformed/)
  })
})

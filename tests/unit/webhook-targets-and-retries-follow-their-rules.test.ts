import { describe, expect, it } from 'vitest'
import { backoffMs } from '../../activities/webhook-activities.js'
import { isPrivateAddress, webhookUrlRefusal } from '../../adapters/webhooks/webhook-targets.js'
import { webhookDefaults } from '../../config/defaults.js'
import { orderEventId, orderEventTypeOf, orderEventTypes } from '../../domain/order-events.js'

describe('webhook targets', () => {
  it('knows private addresses from public ones, IPv4-mapped IPv6 included', () => {
    const privateOnes = [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '224.0.0.1',
    ]
    const publicOnes = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']
    expect(privateOnes.filter((address) => !isPrivateAddress(address))).toEqual([])
    expect(publicOnes.filter((address) => isPrivateAddress(address))).toEqual([])
  })

  it('allows only https in production, never credentials, and private targets only when told', () => {
    const strict = { httpsOnly: true, allowPrivateTargets: false }
    expect(webhookUrlRefusal('https://erp.example.com/hooks', strict)).toBeNull()
    expect(webhookUrlRefusal('http://erp.example.com/hooks', strict)).toBe('must be an https URL')
    expect(webhookUrlRefusal('http://erp.example.com/hooks', { ...strict, httpsOnly: false })).toBeNull()
    expect(webhookUrlRefusal('https://user:pw@erp.example.com/', strict)).toBe('must not carry a user name or password')
    expect(webhookUrlRefusal('https://10.0.0.8/hooks', strict)).toMatch(/private address/)
    expect(webhookUrlRefusal('https://app.localhost/hooks', strict)).toMatch(/this host/)
    expect(webhookUrlRefusal('https://10.0.0.8/hooks', { ...strict, allowPrivateTargets: true })).toBeNull()
    expect(webhookUrlRefusal('not a url', strict)).toBe('is not a URL')
  })
})

describe('webhook retries', () => {
  it('back off exponentially to the cap and keep trying for at least 24 hours', () => {
    const { retry } = webhookDefaults
    const waits = [1, 2, 3, 4, 5, 10, 20].map((attempt) => backoffMs(retry, attempt))
    expect(waits).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 4 * 3_600_000, 4 * 3_600_000])
    expect(retry.giveUpAfterMs).toBeGreaterThanOrEqual(24 * 3_600_000)
    let elapsed = 0
    let attempts = 1
    while (elapsed + backoffMs(retry, attempts) <= retry.giveUpAfterMs) elapsed += backoffMs(retry, attempts++)
    console.log(`production schedule: ${attempts} attempts over ${(elapsed / 3_600_000).toFixed(1)} h`)
    expect(elapsed).toBeGreaterThanOrEqual(24 * 3_600_000)
  })
})

describe('order events', () => {
  it('map every outbox kind to its event type, with a stable id per row', () => {
    expect(orderEventTypeOf('delivery_exception')).toBe('order.delivery_exception')
    expect(new Set(orderEventTypes).size).toBe(orderEventTypes.length)
    const row = { orderId: 'b3c1', kind: 'refunded' as const, occurrence: 2 }
    expect(orderEventId(row)).toBe(orderEventId({ ...row }))
    expect(orderEventId(row)).not.toBe(orderEventId({ ...row, occurrence: 1 }))
  })
})

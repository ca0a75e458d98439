import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase } from '../db/connection.js'
import { createProducts } from './support/fixtures.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { inProcessApp } from './support/in-process-app.js'
import { settled } from './support/patience.js'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Reads the Prometheus text format into samples. */
function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
      if (!match) throw new Error(`not a sample: ${line}`)
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
      return { name: match[1]!, labels, value: Number(match[3]) }
    })
}

const shippingAddress = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' }

// The order counters are global: this file gets a database of its own, so it can count exactly.
let database: FreshDatabase
let stack: HttpStack
beforeAll(async () => {
  database = await createFreshDatabase()
  // Delivered card orders stay open a minute for refunds; the workflows outlive the file harmlessly.
  stack = await startHttpStack({ databaseUrl: database.url, app: { refundWindowMs: 60_000 } })
})
afterAll(async () => {
  await stack?.close()
  await database?.drop()
})

async function scrape(): Promise<Sample[]> {
  const response = await fetch(`${stack.baseUrl}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('text/plain')
  return parseMetrics(await response.text())
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value
}

/** The business series, as a dashboard would read them. */
function business(samples: Sample[]) {
  return {
    placedCard: valueOf(samples, 'orders_placed_total', { payment_method: 'card' }),
    placedCod: valueOf(samples, 'orders_placed_total', { payment_method: 'cod' }),
    confirmed: valueOf(samples, 'orders_confirmed_total'),
    delivered: valueOf(samples, 'orders_delivered_total'),
    cancelledDeclined: valueOf(samples, 'orders_cancelled_total', { reason: 'payment_declined' }),
    cancelledByCustomer: valueOf(samples, 'orders_cancelled_total', { reason: 'customer_request' }),
    cancelledExpired: valueOf(samples, 'orders_cancelled_total', { reason: 'cod_confirmation_expired' }),
    paymentFailures: valueOf(samples, 'payment_failures_total'),
    awaiting: valueOf(samples, 'orders_awaiting_confirmation'),
    refundsDamaged: valueOf(samples, 'refunds_total', { reason: 'damaged' }),
    refundsReturned: valueOf(samples, 'refunds_total', { reason: 'parcel_returned' }),
    codMismatches: valueOf(samples, 'cod_collection_problems_total', { problem: 'collection_mismatch' }),
    codFailedDeliveries: valueOf(samples, 'cod_collection_problems_total', { problem: 'delivery_failed' }),
    up: valueOf(samples, 'order_metrics_up'),
  }
}

describe('GET /metrics', () => {
  it('counts placed, confirmed, cancelled, delivered and failed orders as they happen, from Postgres', async () => {
    expect(business(await scrape())).toEqual({
      placedCard: 0,
      placedCod: 0,
      confirmed: 0,
      delivered: 0,
      cancelledDeclined: 0,
      cancelledByCustomer: 0,
      cancelledExpired: 0,
      paymentFailures: 0,
      awaiting: 0,
      refundsDamaged: 0,
      refundsReturned: 0,
      codMismatches: 0,
      codFailedDeliveries: 0,
      up: 1,
    })
    const [sku] = await createProducts(stack.services.db, [{ onHand: 10 }])
    const customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const admin = await stack.token('admin', 'admin_metrics')
    const place = async (payment: Record<string, unknown>) => {
      const answer = await stack.call('POST', '/v1/orders', {
        token: customer,
        body: { lines: [{ sku, quantity: 1 }], shippingAddress, ...payment },
        headers: { 'Idempotency-Key': randomUUID() },
      })
      expect(answer.status).toBe(201)
      return answer.body.id as string
    }
    const until = (id: string, ready: (order: { status: string; shipment: unknown }) => boolean) =>
      waitForHttpOrder(stack, customer, id, ready)

    const delivered = await place({ paymentMethod: 'card', paymentToken: 'tok_visa' })
    const labelled = await until(delivered, (order) => order.shipment !== null)
    for (const status of ['PICKED_UP', 'DELIVERED']) {
      const event = {
        eventId: randomUUID(),
        trackingNumber: labelled.shipment.trackingNumber,
        status,
        occurredAt: new Date().toISOString(),
      }
      expect((await stack.carrier(event)).status).toBe(202)
    }
    await until(delivered, (order) => order.status === 'DELIVERED')
    const refund = await stack.call('POST', `/v1/orders/${delivered}/refunds`, {
      token: admin,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { amount: 100, reason: 'damaged' },
    })
    expect(refund.status).toBe(200)

    const declined = await place({ paymentMethod: 'card', paymentToken: 'tok_chargeDeclined' })
    await until(declined, (order) => order.status === 'CANCELLED')

    const changedMind = await place({ paymentMethod: 'cod' })
    await until(changedMind, (order) => order.status === 'AWAITING_CONFIRMATION')
    // The live order moves first; the read model (and so the counters) follows a moment later.
    await expect.poll(async () => business(await scrape()), settled).toMatchObject({ placedCard: 2, placedCod: 1, awaiting: 1 })
    const cancelled = await stack.call('POST', `/v1/orders/${changedMind}/cancellation`, { token: customer, body: {} })
    expect(cancelled.status).toBe(200)

    const confirmed = await place({ paymentMethod: 'cod' })
    await until(confirmed, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect((await stack.call('POST', `/v1/orders/${confirmed}/cod-confirmation`, { token: admin })).status).toBe(200)
    const cod = await until(confirmed, (order) => order.shipment !== null)
    // The carrier fails once, then delivers and reports collecting 1 cent instead of the total.
    for (const [status, extra] of [
      ['PICKED_UP', {}],
      ['EXCEPTION', {}],
      ['DELIVERED', { amountCollected: 1 }],
    ] as const) {
      const event = {
        eventId: randomUUID(),
        trackingNumber: cod.shipment.trackingNumber,
        status,
        occurredAt: new Date().toISOString(),
        ...extra,
      }
      expect((await stack.carrier(event)).status).toBe(202)
    }
    await until(confirmed, (order) => order.status === 'DELIVERED')

    await expect
      .poll(async () => business(await scrape()), settled)
      .toEqual({
        placedCard: 2,
        placedCod: 2,
        confirmed: 2,
        delivered: 2,
        cancelledDeclined: 1,
        cancelledByCustomer: 1,
        cancelledExpired: 0,
        paymentFailures: 1,
        awaiting: 0,
        refundsDamaged: 1,
        refundsReturned: 0,
        codMismatches: 1,
        codFailedDeliveries: 1,
        up: 1,
      })
  })

  it('counts and times HTTP requests by route template and status, never by raw path', async () => {
    const customer = await stack.token('customer', 'cust_http_metrics')
    const id = randomUUID()
    await stack.call('GET', `/v1/orders/${id}`, { token: customer })
    await stack.call('GET', `/v1/orders/${randomUUID()}`, { token: customer })
    await stack.call('GET', `/definitely/not/here/${id}`)
    const samples = await scrape()

    expect(valueOf(samples, 'http_requests_total', { method: 'GET', route: '/v1/orders/:id', status: '404' })).toBe(2)
    expect(valueOf(samples, 'http_requests_total', { method: 'POST', route: '/v1/orders', status: '201' })).toBe(4)
    expect(valueOf(samples, 'http_requests_total', { method: 'GET', route: '(unmatched)', status: '404' })).toBe(1)
    expect(
      valueOf(samples, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/orders/:id', status: '404' }),
    ).toBe(2)
    const routes = new Set(
      samples.filter((sample) => sample.name === 'http_requests_total').map((sample) => sample.labels['route']),
    )
    expect([...routes].filter((route) => /[0-9a-f]{8}-/.test(route ?? ''))).toEqual([])
    // The process's own metrics come along.
    expect(valueOf(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0)
  })
})

describe('with METRICS_TOKEN set', () => {
  it('GET /metrics needs that bearer token', async () => {
    const api = inProcessApp({ metricsToken: 'metrics-token-0123456789' })
    try {
      expect((await api.app.request('/metrics')).status).toBe(401)
      const customer = await api.token('customer')
      expect((await api.app.request('/metrics', { headers: { Authorization: `Bearer ${customer}` } })).status).toBe(401)
      const scraped = await api.app.request('/metrics', { headers: { Authorization: 'Bearer metrics-token-0123456789' } })
      expect(scraped.status).toBe(200)
      expect(await scraped.text()).toContain('orders_placed_total')
    } finally {
      await api.close()
    }
  })
})

describe('when Postgres does not answer', () => {
  it('a scrape still answers, with order_metrics_up 0 and no order series invented', async () => {
    const db = createDatabase({ connectionString: 'postgres://orders:orders@127.0.0.1:1/orders' })
    const api = inProcessApp({ db })
    try {
      const scraped = await api.app.request('/metrics')
      expect(scraped.status).toBe(200)
      const samples = parseMetrics(await scraped.text())
      expect(valueOf(samples, 'order_metrics_up')).toBe(0)
      for (const name of [
        'orders_placed_total',
        'orders_confirmed_total',
        'orders_awaiting_confirmation',
        'payment_failures_total',
      ]) {
        expect([name, valueOf(samples, name)]).toEqual([name, undefined])
      }
      expect(valueOf(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0)
    } finally {
      await api.close()
      await db.destroy().catch(() => undefined)
    }
  })
})

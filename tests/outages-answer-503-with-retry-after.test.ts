/**
 * A dependency that is down is not the client's fault nor our bug: every
 * route that needs it answers 503 `service_unavailable`, naming it, with
 * `Retry-After`, and works again once it is back. PostgreSQL here is a server
 * of this file's own (never the run's shared one), stopped and restarted
 * mid-test; Temporal is a second dev server, stopped mid-test.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Client, Connection } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../api/app.js'
import { signAccessToken } from '../api/auth.js'
import { CARRIER_SIGNATURE_HEADER, signCarrierPayload } from '../api/carrier-signature.js'
import { projectRoot } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { migrateToLatest } from '../db/migrate.js'
import { type RunningPostgres, startEmbeddedPostgres } from '../dev/embedded-postgres.js'
import { freePort } from '../dev/free-port.js'
import { type RunningTemporal, startTemporalDevServer } from '../dev/temporal-dev-server.js'
import { connectTemporal } from '../temporal/client.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type HttpResult, type HttpStack, jwtSecret, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { logger, testTemporal } from './support/services.js'

function expectOutage(answer: HttpResult, dependency: 'PostgreSQL' | 'Temporal', where: string) {
  const retryAfter = answer.headers.get('retry-after')
  expect({ where, status: answer.status, code: answer.body?.code }).toEqual({ where, status: 503, code: 'service_unavailable' })
  expect(answer.headers.get('content-type')).toBe('application/problem+json')
  expect(retryAfter, where).toMatch(/^[1-9]\d*$/)
  expect(answer.body.detail, where).toContain(dependency)
  expect(answer.body.requestId, where).toBe(answer.headers.get('x-request-id'))
}

describe('with PostgreSQL stopped', () => {
  let scratch: string
  let port: number
  let postgres: RunningPostgres
  let stack: HttpStack
  let customer: string
  let admin: string
  let sku: string
  let order: { id: string; trackingNumber: string }

  const startPostgres = () => startEmbeddedPostgres({ dataDir: scratch, port, database: 'orders', logger, ephemeral: false })

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'order-engine-outage-'))
    port = await freePort()
    postgres = await startPostgres()
    const db = createDatabase({ connectionString: postgres.url, maxConnections: 1 })
    try {
      await migrateToLatest(db)
      ;[sku] = (await createProducts(db, [{ onHand: 50 }])) as [string]
    } finally {
      await db.destroy()
    }
    stack = await startHttpStack({ databaseUrl: postgres.url, changeFeedName: 'outage-test-feed' })
    customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    admin = await stack.token('admin', 'admin_outage')
    const placed = await place()
    expect(placed.status).toBe(201)
    const labelled = await waitForHttpOrder(stack, customer, placed.body.id, (o) => o.shipment !== null, 60_000)
    order = { id: placed.body.id, trackingNumber: labelled.shipment.trackingNumber }
  }, 180_000)

  afterAll(async () => {
    await stack?.close()
    await postgres?.stop()
    if (scratch) await rm(scratch, { recursive: true, force: true })
  }, 60_000)

  const place = (key: string = randomUUID()) =>
    stack.call('POST', '/v1/orders', {
      token: customer,
      headers: { 'Idempotency-Key': key },
      body: {
        lines: [{ sku, quantity: 1 }],
        paymentMethod: 'card',
        paymentToken: 'tok_visa',
        shippingAddress: shippingAddressInput,
      },
    })

  /** Every route that reads or writes PostgreSQL before anything else, as its clients call it. */
  const routesNeedingPostgres = (): Array<[string, () => Promise<HttpResult>]> => [
    ['GET /v1/products', () => stack.call('GET', '/v1/products')],
    ['GET /v1/orders', () => stack.call('GET', '/v1/orders', { token: customer })],
    ['POST /v1/orders', () => place()],
    [
      'POST /v1/carrier-events',
      () =>
        stack.carrier({
          eventId: randomUUID(),
          trackingNumber: order.trackingNumber,
          status: 'IN_TRANSIT',
          occurredAt: new Date().toISOString(),
        }),
    ],
    ['GET /v1/orders/:id/timeline', () => stack.call('GET', `/v1/orders/${order.id}/timeline`, { token: customer })],
    [
      'POST /v1/orders/:id/cancellation',
      () => stack.call('POST', `/v1/orders/${order.id}/cancellation`, { token: customer, body: {} }),
    ],
    [
      'POST /v1/orders/:id/cod-confirmation',
      () => stack.call('POST', `/v1/orders/${order.id}/cod-confirmation`, { token: admin }),
    ],
    [
      'PUT /v1/products/:sku',
      () =>
        stack.call('PUT', `/v1/products/${sku}`, {
          token: admin,
          body: { name: 'Renamed', prices: [{ currency: 'USD', unitPrice: 1_000 }] },
        }),
    ],
    [
      'POST /v1/products/:sku/stock-adjustments',
      () =>
        stack.call('POST', `/v1/products/${sku}/stock-adjustments`, {
          token: admin,
          headers: { 'Idempotency-Key': randomUUID() },
          body: { delta: 1, reason: 'recount' },
        }),
    ],
    ['GET /v1/products/:sku/audit', () => stack.call('GET', `/v1/products/${sku}/audit`, { token: admin })],
    ['GET /v1/orders/:id/events', () => stack.call('GET', `/v1/orders/${order.id}/events`, { token: customer })],
  ]

  it('every route needing it answers 503 naming PostgreSQL, with Retry-After; once it is back they all work again', async () => {
    await postgres.stop()

    const down = await Promise.all(routesNeedingPostgres().map(async ([where, call]) => [where, await call()] as const))
    for (const [where, answer] of down) expectOutage(answer, 'PostgreSQL', where)
    console.log(
      'while PostgreSQL is down:',
      down.map(([where, answer]) => `${where} → ${answer.status} Retry-After ${answer.headers.get('retry-after')}`),
      `detail: "${down[0]?.[1].body.detail}"`,
    )
    const ready = await stack.call('GET', '/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.checks.postgres).toBe('unavailable')

    // While it comes back (refusing connections, then "the database system is starting up"), nothing is a 500.
    const seen = new Map<number, number>()
    let restarted = false
    const probing = (async () => {
      while (!restarted) {
        const answer = await stack.call('GET', '/v1/products')
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1)
        if (answer.status !== 200) expectOutage(answer, 'PostgreSQL', 'GET /v1/products while restarting')
      }
    })()
    try {
      postgres = await startPostgres()
    } finally {
      restarted = true
      await probing
    }
    console.log('GET /v1/products answers while PostgreSQL restarted:', Object.fromEntries(seen))

    const products = await stack.call('GET', '/v1/products')
    expect(products.status).toBe(200)
    const orders = await stack.call('GET', '/v1/orders', { token: customer })
    expect(orders.status).toBe(200)
    expect(orders.body.data.map((o: { id: string }) => o.id)).toContain(order.id)
    const placed = await place()
    expect(placed.status).toBe(201)
    const timeline = await stack.call('GET', `/v1/orders/${order.id}/timeline`, { token: customer })
    expect(timeline.status).toBe(200)
    expect(stack.contractViolations).toEqual([])
  }, 180_000)
})

describe('with Temporal stopped', () => {
  let stack: HttpStack
  let temporal: RunningTemporal | null = null
  let connection: Connection
  let outageClient: Client
  let app: ReturnType<typeof createApp>
  let customer: string
  let admin: string
  let sku: string
  let order: { id: string; trackingNumber: string }

  beforeAll(async () => {
    // The run's stack makes a real order (with a label) in the shared database; then an app whose Temporal is
    // a second dev server, stopped below, serves that same database.
    stack = await startHttpStack()
    customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    admin = await stack.token('admin', 'admin_outage')
    ;[sku] = (await createProducts(stack.services.db, [{ onHand: 50 }])) as [string]
    const placed = await stack.call('POST', '/v1/orders', {
      token: customer,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        lines: [{ sku, quantity: 1 }],
        paymentMethod: 'card',
        paymentToken: 'tok_visa',
        shippingAddress: shippingAddressInput,
      },
    })
    expect(placed.status).toBe(201)
    const labelled = await waitForHttpOrder(stack, customer, placed.body.id, (o) => o.shipment !== null, 60_000)
    order = { id: labelled.id, trackingNumber: labelled.shipment.trackingNumber }

    temporal = await startTemporalDevServer({
      projectRoot,
      cliPath: null,
      pathVariable: process.env['PATH'] ?? null,
      namespace: 'default',
      dbFilename: null,
      port: null,
      uiPort: null,
      allowDownload: true,
      logger,
    })
    ;({ connection, client: outageClient } = await connectTemporal({ ...testTemporal(), address: temporal.address }))
    app = createApp({
      db: stack.services.db,
      temporal: outageClient,
      taskQueue: stack.services.taskQueue,
      logger,
      jwtSecret,
      carrierWebhookSecret: 'test-carrier-secret-0123',
      storeCurrency: 'USD',
      codConfirmationTimeoutMs: 60_000,
      orderChanges: stack.orderChanges,
      rateLimits: { placeOrder: { limit: 10_000, windowMs: 60_000 }, adminActions: { limit: 10_000, windowMs: 60_000 } },
    })
  }, 180_000)

  afterAll(async () => {
    await temporal?.stop().catch(() => undefined)
    await connection?.close().catch(() => undefined)
    await stack?.close()
  }, 60_000)

  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers['Authorization'] = `Bearer ${options.token}`
    let body: string | undefined
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    }
    const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await response.text()
    const contentType = response.headers.get('content-type')
    const parsed: unknown = text && /json/.test(contentType ?? '') ? JSON.parse(text) : text || null
    stack.contractViolations.push(
      ...stack.contract.violations({ method, path, status: response.status, contentType, body: parsed }),
    )
    return { status: response.status, headers: response.headers, body: parsed } as HttpResult
  }

  it('starts, signals and updates answer 503 naming Temporal, with Retry-After, in time; reads fall back to PostgreSQL', async () => {
    const { trackingNumber } = order
    const before = await call('GET', '/v1/products')
    expect(before.status).toBe(200)

    await temporal?.stop()
    temporal = null

    const started = Date.now()
    const timed = async (where: string, run: () => Promise<HttpResult>) => {
      const answer = await run()
      return { where, answer, ms: Date.now() - started }
    }
    const answers = await Promise.all([
      timed('POST /v1/orders', () =>
        call('POST', '/v1/orders', {
          token: customer,
          headers: { 'Idempotency-Key': randomUUID() },
          body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress: shippingAddressInput },
        }),
      ),
      timed('POST /v1/carrier-events', () => {
        const body = JSON.stringify({
          eventId: randomUUID(),
          trackingNumber,
          status: 'PICKED_UP',
          occurredAt: new Date().toISOString(),
        })
        return call('POST', '/v1/carrier-events', {
          body,
          headers: { [CARRIER_SIGNATURE_HEADER]: signCarrierPayload('test-carrier-secret-0123', body) },
        })
      }),
      timed('POST /v1/orders/:id/cancellation', () =>
        call('POST', `/v1/orders/${order.id}/cancellation`, { token: customer, body: { reason: 'changed my mind' } }),
      ),
      timed('POST /v1/orders/:id/cod-confirmation', () =>
        call('POST', `/v1/orders/${order.id}/cod-confirmation`, { token: admin }),
      ),
    ])
    for (const { where, answer } of answers) {
      // Inside REQUEST_TIMEOUT (15 s): the client hears 503, not 504 (the time it took is logged below).
      expectOutage(answer, 'Temporal', where)
    }
    console.log(
      'while Temporal is down:',
      answers.map(
        ({ where, answer, ms }) => `${where} → ${answer.status} Retry-After ${answer.headers.get('retry-after')} in ${ms} ms`,
      ),
      `detail: "${answers[0]?.answer.body.detail}"`,
    )

    // Reading an order needs only PostgreSQL when the workflow does not answer.
    const read = await call('GET', `/v1/orders/${order.id}`, { token: customer })
    expect(read.status).toBe(200)
    expect(read.body.status).toBe('CONFIRMED')
    const ready = await call('GET', '/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.checks.temporal).toBe('unavailable')
    expect(stack.contractViolations).toEqual([])
  }, 120_000)

  it('an admin token is still checked before anything reaches Temporal', async () => {
    const forged = await signAccessToken('another-secret-that-is-long-enough-0123', { role: 'admin', subject: 'x' })
    const answer = await call('POST', `/v1/orders/${order.id}/cod-confirmation`, { token: forged })
    expect(answer.status).toBe(401)
  })
})

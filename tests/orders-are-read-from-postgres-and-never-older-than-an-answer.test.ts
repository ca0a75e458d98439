/**
 * `GET /v1/orders/:id` is one indexed read of the read model, ownership
 * first: with the worker stopped (so no workflow could answer a query) an
 * order still answers in a few milliseconds, not after a 2 s query deadline,
 * and someone else's order is 404 as fast. And the read model is never
 * behind what the API answered: with the worker's link to PostgreSQL slowed
 * down (its writes lag), an admin's confirmation is read back at once, at the
 * version it was answered with, by the order, the list and the admin alike.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { createDatabase } from '../db/connection.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settleMs } from './support/patience.js'
import { type SlowTcpProxy, startSlowTcpProxy } from './support/slow-tcp-proxy.js'

let stack: HttpStack
let sku: string
let owner: string
let ownerToken: string
let strangerToken: string
let adminToken: string

beforeAll(async () => {
  stack = await startHttpStack()
  ;[sku] = (await createProducts(stack.services.db, [{ onHand: 100 }])) as [string]
  owner = `cust_${randomUUID().slice(0, 8)}`
  ownerToken = await stack.token('customer', owner)
  strangerToken = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  adminToken = await stack.token('admin', 'admin_reads')
}, 120_000)
afterAll(() => stack?.close())

const placeCod = () =>
  stack.call('POST', '/v1/orders', {
    token: ownerToken,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress: shippingAddressInput },
  })

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

describe('reading an order', () => {
  it('answers from PostgreSQL with no worker running: the owner in milliseconds, anyone else 404 as fast', async () => {
    const placed = await placeCod()
    expect(placed.status).toBe(201)
    const waiting = await waitForHttpOrder(stack, ownerToken, placed.body.id, (o) => o.status === 'AWAITING_CONFIRMATION')

    await stack.worker.stop()
    try {
      const owned: number[] = []
      const foreign: number[] = []
      for (let round = 0; round < 20; round += 1) {
        let started = performance.now()
        const read = await stack.call('GET', `/v1/orders/${placed.body.id}`, { token: ownerToken })
        owned.push(performance.now() - started)
        expect(read.status).toBe(200)
        expect(read.body).toEqual(waiting)

        started = performance.now()
        const refused = await stack.call('GET', `/v1/orders/${placed.body.id}`, { token: strangerToken })
        foreign.push(performance.now() - started)
        expect(refused.status).toBe(404)
      }
      console.log(
        `with the worker stopped: owner's read median ${median(owned).toFixed(1)} ms (max ${Math.max(...owned).toFixed(1)}), ` +
          `someone else's 404 median ${median(foreign).toFixed(1)} ms (max ${Math.max(...foreign).toFixed(1)})`,
      )
      // Asking the workflow would have waited for its 2 s query deadline on every one of these.
      expect(Math.max(...owned, ...foreign)).toBeLessThan(1_000)
    } finally {
      await stack.restartWorker()
    }
    expect(stack.contractViolations).toEqual([])
  }, 120_000)
})

describe('after an admin confirms a cash-on-delivery order, while the worker writes the read model late', () => {
  let proxy: SlowTcpProxy
  let slowDb: ReturnType<typeof createDatabase>

  beforeAll(async () => {
    const url = new URL(inject('databaseUrl'))
    proxy = await startSlowTcpProxy({ host: url.hostname, port: Number(url.port) }, 400)
    slowDb = createDatabase({ connectionString: proxy.via(url.href), maxConnections: 10, connectionTimeoutMs: 30_000 })
    await stack.worker.stop()
    stack.worker = await stack.services.startWorker({ db: slowDb })
  }, 60_000)
  afterAll(async () => {
    await stack?.restartWorker()
    await slowDb?.destroy()
    await proxy?.close()
  }, 60_000)

  it('the order, the list and the admin read it back at once, at the version the confirmation answered', async () => {
    const placed = await placeCod()
    expect(placed.status).toBe(201)
    await waitForHttpOrder(stack, ownerToken, placed.body.id, (o) => o.status === 'AWAITING_CONFIRMATION', settleMs)

    const confirmed = await stack.call('POST', `/v1/orders/${placed.body.id}/cod-confirmation`, { token: adminToken })
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200)
    expect(confirmed.body.status).toBe('CONFIRMED')

    const [byOwner, byAdmin, list] = await Promise.all([
      stack.call('GET', `/v1/orders/${placed.body.id}`, { token: ownerToken }),
      stack.call('GET', `/v1/orders/${placed.body.id}`, { token: adminToken }),
      stack.call('GET', '/v1/orders?limit=5', { token: ownerToken }),
    ])
    const listed = list.body.data.find((order: { id: string }) => order.id === placed.body.id)
    const recorded = await stack.services.db
      .selectFrom('orders')
      .select('version')
      .where('id', '=', placed.body.id)
      .executeTakeFirstOrThrow()
    console.log(
      `confirmation answered version ${confirmed.body.version}; read back: owner ${byOwner.body.version}, ` +
        `admin ${byAdmin.body.version}, list ${listed?.version}; row ${recorded.version}`,
    )
    for (const read of [byOwner.body, byAdmin.body, listed]) {
      expect(read.version).toBeGreaterThanOrEqual(confirmed.body.version)
      expect(read.status).toBe('CONFIRMED')
    }
    expect(byOwner.body).toEqual(byAdmin.body)

    // The worker's own (late) writes of that version and the next ones land afterwards and never go back.
    const labelled = await waitForHttpOrder(stack, ownerToken, placed.body.id, (o) => o.shipment !== null, settleMs)
    expect(labelled.version).toBeGreaterThanOrEqual(confirmed.body.version)
    expect(stack.contractViolations).toEqual([])
  }, 180_000)
})

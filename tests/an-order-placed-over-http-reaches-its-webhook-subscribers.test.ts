/**
 * End to end, as a subscriber sees it: an admin registers an endpoint for
 * some order events, a customer places and cancels an order over HTTP, and
 * the outbox dispatcher hands each milestone to the endpoint, signed per
 * Standard Webhooks, once per event id, with a delivery log. Events the
 * endpoint did not ask for never reach it.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orderEventId } from '../domain/order-events.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settled } from './support/patience.js'
import { type WebhookReceiver, startWebhookReceiver } from './support/webhook-receiver.js'

let fresh: FreshDatabase
let stack: HttpStack
let receiver: WebhookReceiver

beforeAll(async () => {
  const allowLocal = { httpsOnly: false, allowPrivateTargets: true }
  fresh = await createFreshDatabase()
  stack = await startHttpStack({
    notificationDispatcher: true,
    databaseUrl: fresh.url,
    app: { webhookTargetRules: allowLocal },
    webhooks: {
      rules: allowLocal,
      retry: { initialIntervalMs: 300, backoffCoefficient: 2, maximumIntervalMs: 1_000, giveUpAfterMs: 120_000 },
    },
  })
  receiver = await startWebhookReceiver(() => 200)
}, 120_000)

afterAll(async () => {
  await receiver?.close()
  await stack?.close()
  await fresh?.drop()
})

describe('an order placed over HTTP', () => {
  it('reaches the endpoint that subscribed to its milestones, signed, each event once', async () => {
    const admin = await stack.token('admin', 'admin_erp')
    const customer = await stack.token('customer', `cust_${randomUUID()}`)
    const registered = await stack.call('POST', '/v1/webhook-endpoints', {
      token: admin,
      body: { url: `${receiver.url}/erp`, eventTypes: ['order.placed', 'order.cancelled'], description: 'ERP' },
    })
    expect(registered.status).toBe(201)
    receiver.secrets = [registered.body.secret]

    const [sku] = await createProducts(stack.services.db, [{ onHand: 3, unitPrice: 1_999 }])
    const placed = await stack.call('POST', '/v1/orders', {
      token: customer,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        lines: [{ sku, quantity: 2 }],
        paymentMethod: 'card',
        paymentToken: 'tok_visa',
        shippingAddress: shippingAddressInput,
      },
    })
    expect(placed.status).toBe(201)
    const orderId: string = placed.body.id
    await waitForHttpOrder(stack, customer, orderId, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    const cancelled = await stack.call('POST', `/v1/orders/${orderId}/cancellation`, {
      token: customer,
      body: { reason: 'ordered the wrong size' },
    })
    expect(cancelled.status).toBe(200)

    const wanted = [
      orderEventId({ orderId, kind: 'placed', occurrence: 1 }),
      orderEventId({ orderId, kind: 'cancelled', occurrence: 1 }),
    ]
    await expect.poll(() => receiver.processed.map((event) => event.id).sort(), settled).toEqual([...wanted].sort())
    const requests = receiver.received.filter((request) => request.path === '/erp')
    console.log(
      'subscriber received',
      requests.map((r) => `${r.id} ${r.verifiedBy === 0 ? 'verified' : 'NOT VERIFIED'} -> ${r.answered}`),
    )
    expect(requests.every((request) => request.verifiedBy === 0)).toBe(true)
    // confirmed was not subscribed to: it never reaches the endpoint.
    expect(requests.some((request) => request.id.endsWith('_confirmed_1'))).toBe(false)
    const bodies = receiver.processed.map((event) => event.body as { type: string; data: { orderId: string } })
    expect(bodies.map((body) => body.type).sort()).toEqual(['order.cancelled', 'order.placed'])
    expect(bodies.every((body) => body.data.orderId === orderId)).toBe(true)

    const log = await stack.call('GET', `/v1/webhook-endpoints/${registered.body.id}/deliveries`, { token: admin })
    expect(log.status).toBe(200)
    expect(log.body.data.map((delivery: { status: string }) => delivery.status)).toEqual(['delivered', 'delivered'])
  })
})

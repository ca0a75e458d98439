import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProducts } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'

let stack: HttpStack
let customerId: string
let customer: string
let admin: string

beforeAll(async () => {
  stack = await startHttpStack()
  customerId = `cust_${randomUUID().slice(0, 8)}`
  customer = await stack.token('customer', customerId)
  admin = await stack.token('admin', 'admin_timeline')
})
afterAll(() => stack?.close())

const shippingAddress = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' }

/** A card order, labelled, then cancelled by its owner: the timeline has a provider reference in it. */
async function cancelledCardOrder(): Promise<string> {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 1 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'card', paymentToken: 'tok_visa', shippingAddress },
  })
  expect(placed.status).toBe(201)
  await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null)
  const cancelled = await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, {
    token: customer,
    body: { reason: 'changed my mind' },
  })
  expect(cancelled.status).toBe(200)
  return placed.body.id as string
}

/** The timeline, once the read model has recorded the cancellation. */
async function timeline(orderId: string, token: string) {
  await expect
    .poll(async () => {
      const answer = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token })
      return answer.body.data?.some((entry: { type: string }) => entry.type === 'order_cancelled')
    })
    .toBe(true)
  const answer = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token })
  expect(answer.status).toBe(200)
  expect(answer.body.orderId).toBe(orderId)
  return answer.body.data as Array<{
    seq: number
    at: string
    actor: { type: string; id: string | null }
    type: string
    message: string
    details: Record<string, unknown>
  }>
}

describe('GET /v1/orders/:id/timeline', () => {
  it("tells the owner who did what, when and why, oldest first, without internal references or anyone's ids", async () => {
    const orderId = await cancelledCardOrder()
    const entries = await timeline(orderId, customer)

    expect(entries.map((entry) => entry.type)).toEqual([
      'order_placed',
      'stock_reserved',
      'payment_authorized',
      'label_created',
      'label_cancelled',
      'payment_voided',
      'stock_released',
      'order_cancelled',
    ])
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const times = entries.map((entry) => Date.parse(entry.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(entries[0]).toMatchObject({ actor: { type: 'customer', id: null }, details: { currency: 'USD' } })
    expect(entries.at(-1)).toMatchObject({
      actor: { type: 'customer', id: null },
      message: 'Order cancelled: customer_request',
      details: { reason: 'customer_request' },
    })
    expect(entries.every((entry) => entry.actor.id === null)).toBe(true)

    // The workflow recorded the payment provider's reference; the API does not show it.
    const stored = await stack.services.db
      .selectFrom('order_timeline')
      .select('data')
      .where('order_id', '=', orderId)
      .where('type', '=', 'payment_voided')
      .executeTakeFirstOrThrow()
    const reference = stored.data?.['reference']
    expect(reference).toEqual(expect.any(String))
    const voided = entries.find((entry) => entry.type === 'payment_voided')
    expect(voided?.details).toEqual({})
    expect(JSON.stringify(entries)).not.toContain(String(reference))
  })

  it('shows admins the ids of customer and admin actors, never of the system or the carrier', async () => {
    const orderId = await cancelledCardOrder()
    const entries = await timeline(orderId, admin)
    expect(entries[0]?.actor).toEqual({ type: 'customer', id: customerId })
    expect(entries.at(-1)?.actor).toEqual({ type: 'customer', id: customerId })
    for (const entry of entries.filter((entry) => entry.actor.type === 'system')) expect(entry.actor.id).toBeNull()
    expect(entries.find((entry) => entry.type === 'label_created')?.details).toEqual({
      carrier: 'simcarrier',
      trackingNumber: expect.any(String),
    })
  })

  it('is 404 for someone else and for an order that does not exist, 401 without a token', async () => {
    const orderId = await cancelledCardOrder()
    const stranger = await stack.token('customer', 'cust_stranger')
    const peek = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token: stranger })
    expect(peek.status).toBe(404)
    expect(peek.headers.get('content-type')).toBe('application/problem+json')
    expect((await stack.call('GET', `/v1/orders/${randomUUID()}/timeline`, { token: customer })).status).toBe(404)
    expect((await stack.call('GET', `/v1/orders/not-an-id/timeline`, { token: customer })).status).toBe(404)
    expect((await stack.call('GET', `/v1/orders/${orderId}/timeline`)).status).toBe(401)
  })
})

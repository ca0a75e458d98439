import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orderViewFromRow } from '../commerce/order-view.js'
import { findOrderRow } from '../db/order-queries.js'
import { createProducts } from './support/fixtures.js'
import { openEventStream, orderEvent, type OpenEventStream, type StreamItem } from './support/event-stream.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import { settled } from './support/patience.js'

const feedName = `order-change-feed-${randomUUID().slice(0, 8)}`
let stack: HttpStack
let customerId: string
let customer: string
let admin: string
const streams: OpenEventStream[] = []

beforeAll(async () => {
  stack = await startHttpStack({ orderEventsHeartbeatMs: 300, changeFeedName: feedName })
  customerId = `cust_${randomUUID().slice(0, 8)}`
  customer = await stack.token('customer', customerId)
  admin = await stack.token('admin', 'admin_events')
})
afterAll(async () => {
  for (const stream of streams) stream.close()
  await stack?.close()
})

const shippingAddress = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' }

async function placeOrder(paymentMethod: 'card' | 'cod'): Promise<string> {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 2 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: {
      lines: [{ sku, quantity: 1 }],
      paymentMethod,
      ...(paymentMethod === 'card' ? { paymentToken: 'tok_visa' } : {}),
      shippingAddress,
    },
  })
  expect(placed.status).toBe(201)
  return placed.body.id as string
}

async function follow(orderId: string, token: string, lastEventId?: string): Promise<OpenEventStream> {
  const stream = await openEventStream(`${stack.baseUrl}/v1/orders/${orderId}/events`, {
    Authorization: `Bearer ${token}`,
    ...(lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId }),
  })
  streams.push(stream)
  expect(stream.status).toBe(200)
  expect(stream.headers.get('content-type')).toContain('text/event-stream')
  return stream
}

async function sendCarrierEvent(trackingNumber: string, status: string) {
  const answer = await stack.carrier({ eventId: randomUUID(), trackingNumber, status, occurredAt: new Date().toISOString() })
  expect(answer.status).toBe(202)
}

/** Waits until the read model (not just the live workflow) has the order in the wanted state. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the order as JSON
async function readModelRow(orderId: string, ready: (order: any) => boolean) {
  await expect
    .poll(async () => {
      const row = await findOrderRow(stack.services.db, orderId)
      return row !== null && ready(orderViewFromRow(row))
    })
    .toBe(true)
  const row = await findOrderRow(stack.services.db, orderId)
  if (!row) throw new Error('the order vanished')
  return row
}

const statusOf = (item: StreamItem) => (item.kind === 'event' ? (JSON.parse(item.event.data) as { status: string }).status : null)

describe('GET /v1/orders/:id/events', () => {
  it("pushes the owner the order's current state, then every change as it happens, with increasing ids", async () => {
    const orderId = await placeOrder('card')
    const stream = await follow(orderId, customer)
    await stream.waitFor(orderEvent())

    const labelled = await stream.waitFor(orderEvent((order) => order.shipment !== null))
    const { trackingNumber } = JSON.parse((labelled.item as { event: { data: string } }).event.data).shipment
    await sendCarrierEvent(trackingNumber, 'PICKED_UP')
    await stream.waitFor(orderEvent((order) => order.status === 'SHIPPED'))
    await sendCarrierEvent(trackingNumber, 'DELIVERED')
    await stream.waitFor(orderEvent((order) => order.status === 'DELIVERED'))

    const events = stream.events()
    expect(events.every((event) => event.event === 'order')).toBe(true)
    const ids = events.map((event) => Number(event.id))
    expect(ids.every((id, index) => Number.isInteger(id) && (index === 0 || id > ids[index - 1]!))).toBe(true)
    const statuses = events.map((event) => (JSON.parse(event.data) as { status: string }).status)
    const lifecycle = ['PENDING', 'AWAITING_CONFIRMATION', 'CONFIRMED', 'SHIPPED', 'DELIVERED']
    const positions = statuses.map((status) => lifecycle.indexOf(status))
    expect(positions.every((position, index) => position >= 0 && (index === 0 || position >= positions[index - 1]!))).toBe(true)
    expect(statuses).toEqual(expect.arrayContaining(['CONFIRMED', 'SHIPPED', 'DELIVERED']))

    // The last event is the order exactly as the read model has it, and its id is that version.
    const row = await readModelRow(orderId, (order) => order.status === 'DELIVERED')
    expect(JSON.parse(events.at(-1)!.data)).toEqual(orderViewFromRow(row))
    expect(events.at(-1)!.id).toBe(String(row.version))
    // Idle streams carry heartbeat comments.
    await stream.waitFor((item) => item.kind === 'comment' && item.text === 'heartbeat')
  })

  it('a client reconnecting with Last-Event-ID first gets the newer state, or nothing until the next change', async () => {
    const orderId = await placeOrder('cod')
    const first = await follow(orderId, customer)
    const waiting = await first.waitFor(orderEvent((order) => order.status === 'AWAITING_CONFIRMATION'))
    const seen = (waiting.item as { event: { id: string } }).event.id
    first.close()

    // While the client is away, the order moves on.
    expect((await stack.call('POST', `/v1/orders/${orderId}/cod-confirmation`, { token: admin })).status).toBe(200)
    const labelled = await readModelRow(orderId, (order) => order.shipment !== null)

    const behind = await follow(orderId, customer, seen)
    await behind.waitFor((item) => item.kind === 'event')
    expect(behind.events()[0]).toEqual({
      id: String(labelled.version),
      event: 'order',
      data: JSON.stringify(orderViewFromRow(labelled)),
    })
    behind.close()

    const current = await follow(orderId, customer, String(labelled.version))
    const heartbeat = await current.waitFor((item) => item.kind === 'comment' && item.text === 'heartbeat')
    expect(current.events()).toEqual([])
    await sendCarrierEvent(labelled.shipment!.trackingNumber, 'PICKED_UP')
    const live = await current.waitFor(
      orderEvent((order) => order.status === 'SHIPPED'),
      { from: heartbeat.index },
    )
    expect(Number((live.item as { event: { id: string } }).event.id)).toBeGreaterThan(labelled.version)
    expect(statusOf(current.items.find((item) => item.kind === 'event')!)).toBe('SHIPPED')
  })

  it("is 404 for another customer's order, 401 without a token, 400 for a malformed Last-Event-ID; admins may follow", async () => {
    const orderId = await placeOrder('cod')
    const stranger = await stack.token('customer', 'cust_stranger')
    const peek = await stack.call('GET', `/v1/orders/${orderId}/events`, { token: stranger })
    expect(peek.status).toBe(404)
    expect(peek.headers.get('content-type')).toBe('application/problem+json')
    expect(peek.body.code).toBe('order_not_found')
    expect((await stack.call('GET', `/v1/orders/${randomUUID()}/events`, { token: customer })).status).toBe(404)
    expect((await stack.call('GET', `/v1/orders/${orderId}/events`)).status).toBe(401)

    const malformed = await stack.call('GET', `/v1/orders/${orderId}/events`, {
      token: customer,
      headers: { 'Last-Event-ID': 'yesterday' },
    })
    expect(malformed.status).toBe(400)
    expect(malformed.body.errors).toEqual([expect.objectContaining({ in: 'header', field: 'last-event-id' })])

    const watched = await follow(orderId, admin)
    await watched.waitFor(orderEvent((order) => order.id === orderId))
  })

  it('uses one LISTEN connection per process for any number of streams, and drops listeners when clients leave', async () => {
    const [one, two] = [await placeOrder('cod'), await placeOrder('cod')]
    const before = stack.orderChanges.subscriberCount()
    const opened = [await follow(one, customer), await follow(one, customer), await follow(two, admin)]
    for (const stream of opened) await stream.waitFor(orderEvent())
    expect(stack.orderChanges.subscriberCount()).toBe(before + 3)

    const listeners = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity where application_name = ${feedName}`.execute(stack.services.db)
    expect(listeners.rows[0]?.n).toBe(1)

    for (const stream of opened) stream.close()
    await expect.poll(() => stack.orderChanges.subscriberCount(), settled).toBe(before)
  })
})

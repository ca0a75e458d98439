/**
 * The customer's inbox: `GET /v1/notifications` lists the caller's own
 * notifications, newest first, in cursor pages, optionally only the unread
 * ones; `POST /v1/notifications/{id}/read` marks one read, and another
 * customer's is 404. Each notification also reaches the order's event stream
 * as an event `notification` of its own.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNotificationActivities } from '../activities/notifications.js'
import { ensureNotificationDispatcher, notificationDispatcherId } from '../workers/notification-dispatcher-setup.js'
import { openEventStream } from './support/event-stream.js'
import { createProducts } from './support/fixtures.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settled } from './support/patience.js'
import { logger } from './support/services.js'

let database: FreshDatabase
let stack: HttpStack
const olderOrderId = randomUUID()

beforeAll(async () => {
  database = await createFreshDatabase()
  stack = await startHttpStack({ databaseUrl: database.url })
  // Written before any dispatcher ran, as the outbox rows of orders placed before delivery existed.
  await createNotificationActivities({ db: stack.services.db, logger }).notifyCustomer({
    orderId: olderOrderId,
    customerId: 'cust_before',
    kind: 'shipped',
  })
  await ensureNotificationDispatcher(stack.services.client, { taskQueue: stack.services.taskQueue, logger })
})
afterAll(async () => {
  await stack?.services.client.workflow
    .getHandle(notificationDispatcherId(stack.services.taskQueue))
    .terminate('test over')
    .catch(() => undefined)
  await stack?.close()
  await database?.drop()
})

const shippingAddress = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }

async function placeCod(token: string): Promise<string> {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 3, unitPrice: 1_000 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token,
    body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress },
    headers: { 'Idempotency-Key': randomUUID() },
  })
  expect(placed.status).toBe(201)
  return placed.body.id as string
}

describe('the notification inbox', () => {
  it('a row written before the dispatcher started is delivered too', async () => {
    const deliveriesOf = () =>
      stack.services.db
        .selectFrom('notification_outbox as n')
        .innerJoin('notification_deliveries as d', 'd.outbox_id', 'n.id')
        .select(['d.channel', 'd.status', 'n.sent_at'])
        .where('n.order_id', '=', olderOrderId)
        .orderBy('d.channel')
        .execute()
    await expect
      .poll(async () => (await deliveriesOf()).map((d) => [d.channel, d.status, d.sent_at !== null]), settled)
      .toEqual([
        ['email', 'skipped', true], // this test's worker has no SMTP server: recorded skipped
        ['order_stream', 'delivered', true],
        ['webhooks', 'delivered', true], // handed to outbound webhooks (no endpoint wants it here)
      ])
  })

  it("lists only the caller's notifications, newest first, in pages, and marks one read", async () => {
    const ada = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const bob = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const first = await placeCod(ada)
    // The inbox is newest first by when each notice was written: the second order is placed once the first's is.
    await waitForHttpOrder(stack, ada, first, (order) => order.status === 'AWAITING_CONFIRMATION')
    const second = await placeCod(ada)
    const bobs = await placeCod(bob)
    await waitForHttpOrder(stack, ada, second, (order) => order.status === 'AWAITING_CONFIRMATION')

    const stream = await openEventStream(`${stack.baseUrl}/v1/orders/${first}/events`, { Authorization: `Bearer ${ada}` })
    expect(stream.status).toBe(200)
    expect((await stack.call('POST', `/v1/orders/${first}/cancellation`, { token: ada, body: {} })).status).toBe(200)
    const { item } = await stream.waitFor(
      (entry) => entry.kind === 'event' && entry.event.event === 'notification' && /cancelled/.test(entry.event.data),
      { timeoutMs: settled.timeout },
    )
    stream.close()
    const pushed = item.kind === 'event' ? JSON.parse(item.event.data) : null
    console.log(`event stream: notification ${pushed.kind}: ${pushed.subject}`)
    expect(pushed).toMatchObject({ orderId: first, kind: 'cancelled', readAt: null })
    expect(item.kind === 'event' && item.event.id).toBe(null)

    await expect
      .poll(async () => (await stack.call('GET', '/v1/notifications', { token: ada })).body.data.length, settled)
      .toBe(3)
    const all = (await stack.call('GET', '/v1/notifications', { token: ada })).body.data
    console.log(
      `ada's inbox: ${all.map((n: { kind: string; orderId: string }) => `${n.kind} ${n.orderId.slice(0, 8)}`).join(', ')}`,
    )
    expect(all.map((n: { kind: string; orderId: string }) => [n.kind, n.orderId])).toEqual([
      ['cancelled', first],
      ['placed', second],
      ['placed', first],
    ])
    expect(all.every((n: { orderId: string }) => n.orderId !== bobs)).toBe(true)
    expect(all[0].message).toContain('(at your request)')

    const page1 = await stack.call('GET', '/v1/notifications?limit=2', { token: ada })
    expect(page1.body.data.map((n: { id: string }) => n.id)).toEqual([all[0].id, all[1].id])
    const page2 = await stack.call('GET', `/v1/notifications?limit=2&cursor=${page1.body.nextCursor}`, { token: ada })
    expect([page2.body.data.map((n: { id: string }) => n.id), page2.body.nextCursor]).toEqual([[all[2].id], null])
    expect((await stack.call('GET', '/v1/notifications?cursor=nope', { token: ada })).status).toBe(400)

    const bobsInbox = (await stack.call('GET', '/v1/notifications', { token: bob })).body.data
    expect(bobsInbox.map((n: { orderId: string }) => n.orderId)).toEqual([bobs])
    expect((await stack.call('POST', `/v1/notifications/${all[0].id}/read`, { token: bob })).status).toBe(404)
    expect((await stack.call('POST', '/v1/notifications/not-an-id/read', { token: bob })).status).toBe(404)

    const read = await stack.call('POST', `/v1/notifications/${all[0].id}/read`, { token: ada })
    expect(read.status).toBe(200)
    expect(read.body.readAt).toEqual(expect.any(String))
    const again = await stack.call('POST', `/v1/notifications/${all[0].id}/read`, { token: ada })
    expect(again.body.readAt).toBe(read.body.readAt)
    const unread = (await stack.call('GET', '/v1/notifications?unread=true', { token: ada })).body.data
    expect(unread.map((n: { id: string }) => n.id)).toEqual([all[1].id, all[2].id])
    expect(stack.contractViolations).toEqual([])
  })
})

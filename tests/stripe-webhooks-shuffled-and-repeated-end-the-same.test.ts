import { afterAll, beforeAll, expect, it } from 'vitest'
import type { OrderState } from '../domain/order-types.js'
import { seededRandom } from './support/fake-server.js'
import { type FakeStripe, type FakeStripeEvent } from './support/fake-stripe.js'
import { createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import type { HttpStack } from './support/http-stack.js'
import { type StripeStack, startStripeStack } from './support/stripe-stack.js'
import { deliverStripeEvent } from './support/stripe-webhook-sender.js'
import { settleMs } from './support/patience.js'

// Sized for a loaded 2-core machine: 16 × 40 events, each delivered up to three times, is ~1,900 webhook calls.
const ORDERS = 16
const EVENTS_PER_ORDER = 40

let stripe: StripeStack
let fake: FakeStripe
let stack: HttpStack

beforeAll(async () => {
  stripe = await startStripeStack(23)
  ;({ fake, stack } = stripe)
})
afterAll(() => stripe?.close())

/** 3-D Secure orders, half of which the customer passes and half fails. */
async function placeGroup() {
  const skus = await createProducts(
    stack.services.db,
    Array.from({ length: ORDERS }, () => ({ onHand: 2 })),
  )
  return Promise.all(
    skus.map(async (sku, index) => {
      const { orderId, handle } = await startOrder(stack.services, {
        lines: [{ sku, quantity: 1 }],
        payment: { method: 'card', token: 'pm_card_threeDSecure2Required', provider: 'stripe' },
      })
      await waitForOrder(handle, (order) => order.paymentStatus === 'ACTION_REQUIRED', settleMs)
      const intent = fake.intentsOf(orderId)[0]!
      fake.completeThreeDSecure(intent.id, index % 2 === 0)
      return { orderId, handle, intentId: intent.id, passes: index % 2 === 0 }
    }),
  )
}

/**
 * The order's real events from Stripe, padded to {@link EVENTS_PER_ORDER} with
 * the notifications Stripe also sends along the way, in the order they happened.
 */
function eventStream(intentId: string): FakeStripeEvent[] {
  const real = fake.events.filter((event) => event.data.object.id === intentId)
  const waiting = real.find((event) => event.type === 'payment_intent.requires_action')!
  const padding = Array.from({ length: EVENTS_PER_ORDER - real.length }, (_, index) => ({
    ...waiting,
    id: `${waiting.id}_n${index}`,
    type: index % 2 === 0 ? 'payment_intent.requires_action' : 'charge.updated',
  }))
  const [created, ...rest] = real
  return [created!, ...padding, ...rest]
}

async function inBatches<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!)
    }),
  )
}

function outcome(order: OrderState) {
  return {
    status: order.status,
    paymentStatus: order.paymentStatus,
    payment: { authorized: order.payment.authorized, captured: order.payment.captured, declineCode: order.payment.declineCode },
    cancellation: order.cancellation?.reason ?? null,
    timeline: order.timeline.map((entry) => entry.type),
  }
}

type Group = Awaited<ReturnType<typeof placeGroup>>

function settle(group: Group) {
  return Promise.all(
    group.map(({ handle, passes }) =>
      passes ? waitForOrder(handle, (order) => order.shipment !== null, settleMs) : handle.result(),
    ),
  )
}

it(`${ORDERS} orders × ${EVENTS_PER_ORDER} Stripe events, each delivered up to three times in shuffled order, end as with in-order delivery`, async () => {
  const started = Date.now()
  const lap = (what: string) => console.info(`[webhooks] ${what} after ${Date.now() - started} ms`)
  const [inOrder, shuffled] = await Promise.all([placeGroup(), placeGroup()])
  lap('orders placed')

  // In order: each order's events one after another, as they happened.
  await Promise.all(
    inOrder.map(async ({ intentId }) => {
      for (const event of eventStream(intentId)) expect((await deliverStripeEvent(stack, event)).status).toBe(200)
    }),
  )

  lap('in-order deliveries done')
  // Shuffled: every event one to three times, all orders' deliveries mixed together.
  const random = seededRandom(1_000)
  const deliveries = shuffled.flatMap(({ intentId }) =>
    eventStream(intentId).flatMap((event) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => event)),
  )
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!]
  }
  const statuses = new Map<string, number>()
  await inBatches(deliveries, 16, async (event) => {
    const answer = await deliverStripeEvent(stack, event)
    statuses.set(`${answer.status} ${answer.body.status}`, (statuses.get(`${answer.status} ${answer.body.status}`) ?? 0) + 1)
  })
  lap(`${deliveries.length} shuffled deliveries done`)
  const distinct = new Set(deliveries.map((event) => event.id)).size
  expect(distinct).toBe(ORDERS * EVENTS_PER_ORDER)
  // Each distinct event is relayed once; once an order's payment is settled, later events are recorded, not relayed.
  const relayedOrRecorded = ['accepted', 'order_closed', 'already_settled'].map((status) => statuses.get(`200 ${status}`) ?? 0)
  expect(relayedOrRecorded.reduce((sum, count) => sum + count, 0)).toBe(distinct)
  expect(statuses.get('200 accepted')).toBeGreaterThanOrEqual(ORDERS)
  expect(statuses.get('200 duplicate')).toBe(deliveries.length - distinct)

  const [expected, actual] = await Promise.all([settle(inOrder), settle(shuffled)])
  expect(actual.map(outcome)).toEqual(expected.map(outcome))
  const passed = actual.filter((order) => order.paymentStatus === 'AUTHORIZED')
  expect(passed, JSON.stringify(actual.map(({ status, paymentStatus }) => `${status}/${paymentStatus}`))).toHaveLength(ORDERS / 2)
  expect(actual.filter((order) => order.cancellation?.reason === 'payment_declined')).toHaveLength(ORDERS / 2)
  for (const { orderId, passes } of shuffled) {
    expect(fake.intentsOf(orderId)).toMatchObject([{ status: passes ? 'requires_capture' : 'canceled' }])
  }
}, 300_000)

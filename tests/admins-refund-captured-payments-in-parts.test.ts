import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { carrierEventSignal, orderWorkflowId } from '../workflows/messages.js'
import type { OrderState } from '../domain/order-types.js'
import type { orderWorkflow } from '../workflows/index.js'
import type { FakeStripe } from './support/fake-stripe.js'
import { shippingAddressInput, carrierEvent, createProducts, waitForOrder } from './support/fixtures.js'
import { type HttpStack, waitForHttpOrder } from './support/http-stack.js'
import { type StripeStack, startStripeStack } from './support/stripe-stack.js'
import { settled } from './support/patience.js'

const refundWindowMs = 10_000
let stripe: StripeStack
let fake: FakeStripe
let stack: HttpStack
let customer: string
let admin: string

beforeAll(async () => {
  stripe = await startStripeStack(23, { app: { refundWindowMs } })
  ;({ fake, stack } = stripe)
  customer = await stack.token('customer', 'cust_refunds')
  admin = await stack.token('admin', 'admin_refunds')
})
afterAll(() => stripe?.close())

/** Places a Stripe card order for 2 × 20.00 + 5.99 shipping and waits for its label. */
async function labelledCardOrder(paymentMethod: 'card' | 'cod' = 'card') {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 4, unitPrice: 2_000 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: {
      lines: [{ sku, quantity: 2 }],
      paymentMethod,
      ...(paymentMethod === 'card' ? { paymentToken: 'tok_visa' } : {}),
      shippingAddress: shippingAddressInput,
    },
  })
  expect(placed.status, JSON.stringify(placed.body)).toBe(201)
  const orderId = placed.body.id as string
  const handle = stack.services.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId))
  if (paymentMethod === 'cod') {
    await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect((await stack.call('POST', `/v1/orders/${orderId}/cod-confirmation`, { token: admin })).status).toBe(200)
  }
  const labelled = await waitForOrder(handle, (order) => order.shipment !== null)
  return { orderId, handle, labelled }
}

/** Hands the parcel to the carrier, which captures a card payment. */
async function pickedUp(handle: Awaited<ReturnType<typeof labelledCardOrder>>['handle'], labelled: OrderState) {
  await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
  return waitForOrder(handle, (order) => order.status === 'SHIPPED')
}

function refund(orderId: string, body: Record<string, unknown>, options: { key?: string; token?: string } = {}) {
  return stack.call('POST', `/v1/orders/${orderId}/refunds`, {
    token: options.token ?? admin,
    headers: options.key === '' ? {} : { 'Idempotency-Key': options.key ?? randomUUID() },
    body,
  })
}

/** `refund_failures_total{reason}` as /metrics reports it now. */
async function refundFailures(reason: string): Promise<number> {
  const text = await (await fetch(`${stack.baseUrl}/metrics`)).text()
  const line = text.split('\n').find((row) => row.startsWith(`refund_failures_total{reason="${reason}"}`))
  return Number(line?.split(' ')[1] ?? Number.NaN)
}

const refundKeysOf = (orderId: string) =>
  [...new Set(fake.calls.filter((call) => call.key.startsWith(`order-${orderId}-refund`)).map((call) => call.key))].sort()

describe('POST /v1/orders/{id}/refunds', () => {
  it('refunds in parts after pickup, each refund once, up to what was captured', async () => {
    const { orderId, handle, labelled } = await labelledCardOrder()
    await pickedUp(handle, labelled)

    expect((await refund(orderId, { amount: 100, reason: 'goodwill' }, { token: customer })).status).toBe(403)
    const keyless = await refund(orderId, { amount: 100, reason: 'goodwill' }, { key: '' })
    expect([keyless.status, keyless.body.errors?.[0]?.field]).toEqual([400, 'idempotency-key'])
    const badReason = await refund(orderId, { amount: 100, reason: 'because' })
    expect([badReason.status, badReason.body.errors?.[0]?.field]).toEqual([400, 'reason'])

    const key = randomUUID()
    const first = await refund(orderId, { amount: 1_000, reason: 'goodwill', note: 'late parcel' }, { key })
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body).toMatchObject({
      paymentStatus: 'PARTIALLY_REFUNDED',
      payment: { captured: 4_599, refunded: 1_000, refundableUntil: null },
    })
    const retried = await refund(orderId, { amount: 1_000, reason: 'goodwill', note: 'late parcel' }, { key })
    expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([200, 'true'])
    expect(retried.body.payment).toEqual(first.body.payment)
    expect((await refund(orderId, { amount: 2_000, reason: 'goodwill' }, { key })).status).toBe(422)

    const tooMuch = await refund(orderId, { amount: 3_600, reason: 'damaged' })
    expect([tooMuch.status, tooMuch.body.reason]).toEqual([409, 'exceeds_refundable'])
    expect(tooMuch.body.detail).toContain('3599 (USD minor units) is still refundable')
    const rest = await refund(orderId, { amount: 3_599, reason: 'damaged' })
    expect(rest.body).toMatchObject({ paymentStatus: 'REFUNDED', payment: { captured: 4_599, refunded: 4_599 } })

    expect(fake.intentsOf(orderId)).toMatchObject([{ amount_received: 4_599, amount_refunded: 4_599 }])
    expect(refundKeysOf(orderId)).toEqual([`order-${orderId}-refund`, `order-${orderId}-refund-2`])
    const notices = await stack.services.db
      .selectFrom('notification_outbox')
      .select(['occurrence', 'payload'])
      .where('order_id', '=', orderId)
      .where('kind', '=', 'refunded')
      .orderBy('occurrence')
      .execute()
    expect(notices).toEqual([
      { occurrence: 1, payload: { amount: 1_000, currency: 'USD' } },
      { occurrence: 2, payload: { amount: 3_599, currency: 'USD' } },
    ])
    const timeline = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token: customer })
    const refunds = timeline.body.data.filter((entry: { type: string }) => entry.type === 'payment_refunded')
    expect(refunds.map((entry: { details: unknown }) => entry.details)).toEqual([
      { amount: 1_000, reason: 'goodwill' },
      { amount: 3_599, reason: 'damaged' },
    ])
    expect(JSON.stringify(timeline.body)).not.toContain('late parcel')

    // Nothing is left to refund, so delivery closes the order at once.
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'DELIVERED'))
    expect(await handle.result()).toMatchObject({ status: 'DELIVERED', paymentStatus: 'REFUNDED' })
  })

  it('two refunds at once that together exceed the capture: one is made, the other refused', async () => {
    const { orderId, handle, labelled } = await labelledCardOrder()
    await pickedUp(handle, labelled)
    const answers = await Promise.all([
      refund(orderId, { amount: 3_000, reason: 'returned_items' }),
      refund(orderId, { amount: 3_000, reason: 'returned_items' }),
    ])
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409])
    const refused = answers.find((answer) => answer.status === 409)
    expect(refused?.body.reason).toBe('exceeds_refundable')
    // The other refund was in flight when this one was refused: what is left is counted without it.
    expect(refused?.body.detail).toContain('1599 (USD minor units) is still refundable')
    expect(fake.intentsOf(orderId)).toMatchObject([{ amount_received: 4_599, amount_refunded: 3_000 }])
    expect(refundKeysOf(orderId)).toEqual([`order-${orderId}-refund`])
  })

  it("after delivery the order's workflow closes; refunds go to its after-sales until the window closes, then are refused", async () => {
    const { orderId, handle, labelled } = await labelledCardOrder()
    await pickedUp(handle, labelled)
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'DELIVERED'))
    // Reads come from the read model, which records the delivery a moment after the workflow has it.
    const shown = await waitForHttpOrder(stack, customer, orderId, (order) => order.status === 'DELIVERED')
    const until = Date.parse(shown.payment.refundableUntil)
    expect(until - Date.now()).toBeGreaterThan(0)
    expect(until - Date.now()).toBeLessThanOrEqual(refundWindowMs)

    expect(await handle.result()).toMatchObject({ status: 'DELIVERED', payment: { captured: 4_599, refunded: 0 } })
    const within = await refund(orderId, { amount: 599, reason: 'returned_items' })
    expect(within.body).toMatchObject({ status: 'DELIVERED', paymentStatus: 'PARTIALLY_REFUNDED', payment: { refunded: 599 } })

    await new Promise((resolve) => setTimeout(resolve, Math.max(until - Date.now() + 100, 0)))
    const late = await refund(orderId, { amount: 100, reason: 'goodwill' })
    expect([late.status, late.body.reason]).toEqual([409, 'refund_window_closed'])
    expect(fake.intentsOf(orderId)).toMatchObject([{ amount_refunded: 599 }])
    const row = await stack.call('GET', `/v1/orders/${orderId}`, { token: admin })
    expect(row.body).toMatchObject({ paymentStatus: 'PARTIALLY_REFUNDED', payment: { refunded: 599 } })
  })

  it("a refund the provider refuses (refunded from Stripe's dashboard meanwhile) is a 409 at once, changes nothing, and is flagged and counted", async () => {
    const { orderId, handle, labelled } = await labelledCardOrder()
    await pickedUp(handle, labelled)
    const [intent] = fake.intentsOf(orderId)
    await stripe.stripe.refunds.create({ payment_intent: intent!.id }, { idempotencyKey: `dashboard-${orderId}` })
    const failuresBefore = await refundFailures('goodwill')

    const refused = await refund(orderId, { amount: 100, reason: 'goodwill' })
    expect([refused.status, refused.body.reason]).toEqual([409, 'refund_refused'])
    expect(refused.body.detail).toContain('amount_too_large')
    const order = await waitForHttpOrder(stack, admin, orderId, (read) => read.status === 'SHIPPED')
    expect(order).toMatchObject({ paymentStatus: 'PAID', payment: { captured: 4_599, refunded: 0 } })
    await expect.poll(() => refundFailures('goodwill'), settled).toBe(failuresBefore + 1)

    // The parcel comes back: the order still ends RETURNED and restocked, with the refused refund flagged, not a failed workflow.
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'RETURNED_TO_SENDER'))
    const returned = await handle.result()
    expect(returned).toMatchObject({ status: 'RETURNED', paymentStatus: 'PAID', payment: { refunded: 0 } })
    const flagged = returned.timeline.filter((entry) => entry.type === 'refund_failed').map((entry) => entry.data)
    expect(flagged).toMatchObject([
      { amount: 100, reason: 'goodwill', code: 'amount_too_large' },
      { amount: 4_599, reason: 'parcel_returned', code: 'amount_too_large' },
    ])
  })

  it('nothing is refundable before capture, nor by card for cash on delivery; unknown orders are 404', async () => {
    const authorized = await labelledCardOrder()
    const early = await refund(authorized.orderId, { amount: 100, reason: 'goodwill' })
    expect([early.status, early.body.reason]).toEqual([409, 'not_refundable'])
    expect(fake.intentsOf(authorized.orderId)).toMatchObject([{ status: 'requires_capture', amount_refunded: 0 }])

    const cash = await labelledCardOrder('cod')
    await pickedUp(cash.handle, cash.labelled)
    const cod = await refund(cash.orderId, { amount: 100, reason: 'goodwill' })
    expect([cod.status, cod.body.reason]).toEqual([409, 'not_refundable'])

    expect((await refund(randomUUID(), { amount: 100, reason: 'goodwill' })).status).toBe(404)
    expect(stack.contractViolations).toEqual([])
  })
})

import { randomUUID } from 'node:crypto'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cancelOrderUpdate, carrierEventSignal, orderWorkflowId } from '../workflows/messages.js'
import type { OrderState } from '../domain/order-types.js'
import type { orderWorkflow } from '../workflows/index.js'
import type { FakeStripe } from './support/fake-stripe.js'
import {
  shippingAddressInput,
  carrierEvent,
  createProducts,
  reservationsOf,
  startOrder,
  stockOf,
  waitForOrder,
} from './support/fixtures.js'
import type { HttpStack } from './support/http-stack.js'
import { type StripeStack, startStripeStack } from './support/stripe-stack.js'
import { deliverStripeEvent, stripeWebhookSecret } from './support/stripe-webhook-sender.js'

let stripe: StripeStack
let fake: FakeStripe
let stack: HttpStack
let customer: string

beforeAll(async () => {
  stripe = await startStripeStack(11)
  ;({ fake, stack } = stripe)
  customer = await stack.token('customer', 'cust_test')
})
afterAll(() => stripe?.close())

async function placeCardOrder(paymentToken: string) {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 4, unitPrice: 2_000 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { lines: [{ sku, quantity: 2 }], paymentMethod: 'card', paymentToken, shippingAddress: shippingAddressInput },
  })
  expect(placed.status, JSON.stringify(placed.body)).toBe(201)
  const handle = stack.services.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(placed.body.id))
  return { sku: sku!, placed: placed.body, handle, orderId: placed.body.id as string }
}

function eventsOf(orderId: string) {
  const [intent] = fake.intentsOf(orderId)
  return fake.events.filter((event) => event.data.object.id === intent?.id)
}

const shipped = (order: OrderState) => order.shipment !== null

describe('card orders through Stripe', () => {
  it('authorize at placement, capture at pickup, with Stripe holding exactly what the order says', async () => {
    const { handle, orderId, placed } = await placeCardOrder('tok_visa')
    expect(placed.paymentAction).toBeNull()
    const confirmed = await waitForOrder(handle, shipped)
    expect(confirmed.payment).toMatchObject({ provider: 'stripe', authorized: 4_000 + 599, captured: 0 })
    expect(fake.intentsOf(orderId)).toMatchObject([{ status: 'requires_capture', capture_method: 'manual', amount: 4_599 }])

    await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
    const picked = await waitForOrder(handle, (order) => order.paymentStatus === 'PAID')
    expect(picked.payment.captured).toBe(4_599)
    expect(fake.intentsOf(orderId)).toMatchObject([{ status: 'succeeded', amount_received: 4_599 }])
  })

  it('cancelled before capture: the PaymentIntent is cancelled (the hold released) and stock comes back', async () => {
    const { handle, orderId, sku } = await placeCardOrder('tok_mastercard')
    await waitForOrder(handle, shipped)
    await handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: { type: 'customer', id: 'cust_test' }, note: null }] })
    const cancelled = await handle.result()
    expect(cancelled).toMatchObject({ status: 'CANCELLED', paymentStatus: 'VOIDED' })
    expect(fake.intentsOf(orderId)).toMatchObject([{ status: 'canceled', amount_received: 0 }])
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 4, reserved: 0 })
  })

  it('returned to sender after capture: the captured amount is refunded', async () => {
    const { handle, orderId } = await placeCardOrder('tok_visa')
    const confirmed = await waitForOrder(handle, shipped)
    await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
    await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'RETURNED_TO_SENDER'))
    const returned = await handle.result()
    expect(returned).toMatchObject({
      status: 'RETURNED',
      paymentStatus: 'REFUNDED',
      payment: { captured: 4_599, refunded: 4_599 },
    })
    expect(fake.intentsOf(orderId)).toMatchObject([{ amount_received: 4_599, amount_refunded: 4_599 }])
  })

  it('a decline cancels the order with the decline code and releases the stock', async () => {
    const { handle, orderId, sku } = await placeCardOrder('tok_chargeDeclinedInsufficientFunds')
    const cancelled = await handle.result()
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      paymentStatus: 'FAILED',
      payment: { declineCode: 'insufficient_funds', captured: 0 },
      cancellation: { reason: 'payment_declined' },
    })
    expect(await reservationsOf(stack.services.db, orderId)).toEqual([{ sku, quantity: 2, state: 'released' }])
  })
})

describe('3-D Secure through Stripe', () => {
  it('placement hands back the client secret; the webhook after the challenge moves the order on', async () => {
    const { handle, orderId, placed } = await placeCardOrder('pm_card_threeDSecure2Required')
    const [intent] = fake.intentsOf(orderId)
    expect(placed.paymentAction).toEqual({
      provider: 'stripe',
      reference: intent!.id,
      clientSecret: intent!.client_secret,
      approvalUrl: null,
    })
    const waiting = await waitForOrder(handle, (order) => order.paymentStatus === 'ACTION_REQUIRED')
    expect(JSON.stringify(waiting)).not.toContain('_secret_')
    const history = await handle.fetchHistory()
    expect(JSON.stringify(history)).not.toContain(intent!.client_secret)

    fake.completeThreeDSecure(intent!.id, true)
    for (const event of eventsOf(orderId)) expect((await deliverStripeEvent(stack, event)).status).toBe(200)
    const confirmed = await waitForOrder(handle, shipped)
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'AUTHORIZED', payment: { authorized: 4_599 } })
  })

  it('a failed challenge cancels the order as declined, cancels the PaymentIntent and releases the stock', async () => {
    const { handle, orderId, sku } = await placeCardOrder('pm_card_threeDSecure2Required')
    await waitForOrder(handle, (order) => order.paymentStatus === 'ACTION_REQUIRED')
    fake.completeThreeDSecure(fake.intentsOf(orderId)[0]!.id, false)
    for (const event of eventsOf(orderId).reverse()) await deliverStripeEvent(stack, event)
    const cancelled = await handle.result()
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      paymentStatus: 'FAILED',
      payment: { declineCode: 'payment_intent_authentication_failure' },
      cancellation: { reason: 'payment_declined' },
    })
    expect(fake.intentsOf(orderId)).toMatchObject([{ status: 'canceled' }])
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 4, reserved: 0 })
  })

  it('a challenge never completed cancels the order when the window closes, and the PaymentIntent with it', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 1 }])
    const { orderId, handle } = await startOrder(stack.services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'pm_card_threeDSecure2Required', provider: 'stripe' },
      paymentActionTimeoutMs: 1_500,
    })
    const cancelled = await handle.result()
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'payment_not_completed' } })
    expect(fake.intentsOf(orderId)).toMatchObject([{ status: 'canceled' }])
    expect(await stockOf(stack.services.db, sku!)).toEqual({ on_hand: 1, reserved: 0 })
  })

  it('forged, unsigned and stale events are refused and change nothing', async () => {
    const { handle, orderId } = await placeCardOrder('pm_card_threeDSecure2Required')
    await waitForOrder(handle, (order) => order.paymentStatus === 'ACTION_REQUIRED')
    fake.completeThreeDSecure(fake.intentsOf(orderId)[0]!.id, true)
    const [event] = eventsOf(orderId).slice(-1)
    const genuine = JSON.stringify(event)
    const tampered = genuine.replace('"requires_capture"', '"succeeded"')
    const header = new Stripe('sk_test_signer').webhooks.generateTestHeaderString({
      payload: genuine,
      secret: stripeWebhookSecret,
    })
    const refusals = [
      await deliverStripeEvent(stack, event, { secret: 'whsec_forged_by_someone_else' }),
      await deliverStripeEvent(stack, event, { unsigned: true }),
      await deliverStripeEvent(stack, event, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      await stack.call('POST', '/v1/webhooks/stripe', { body: tampered, headers: { 'Stripe-Signature': header } }),
    ]
    expect(refusals.map((answer) => [answer.status, answer.body.code])).toEqual(
      Array.from({ length: 4 }, () => [400, 'webhook_signature_invalid']),
    )
    expect(refusals[0]!.headers.get('content-type')).toBe('application/problem+json')
    const stored = await stack.services.db
      .selectFrom('payment_webhook_events')
      .select('event_id')
      .where('order_id', '=', orderId)
      .execute()
    expect(stored).toEqual([])
    expect((await handle.query('status')) as OrderState).toMatchObject({ paymentStatus: 'ACTION_REQUIRED', status: 'PENDING' })
  })
})

describe('choosing the provider', () => {
  it('refuses PayPal with a 422 naming the field when PayPal is not configured', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 1 }])
    const answer = await stack.call('POST', '/v1/orders', {
      token: customer,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'paypal', shippingAddress: shippingAddressInput },
    })
    expect(answer.status).toBe(422)
    expect(answer.body).toMatchObject({ code: 'payment_method_unavailable', errors: [{ field: 'paymentMethod' }] })
  })
})

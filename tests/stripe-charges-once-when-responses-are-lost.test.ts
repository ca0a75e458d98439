import type { WorkflowHandle } from '@temporalio/client'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStripeClient } from '../adapters/payments/stripe-client.js'
import { createStripePaymentProvider } from '../adapters/payments/stripe-payment-provider.js'
import { afterSalesWorkflowId } from '../domain/returns.js'
import { afterSalesQuery, afterSalesRefundUpdate } from '../workflows/after-sales/messages.js'
import { cancelOrderUpdate, carrierEventSignal } from '../workflows/messages.js'
import type { OrderState } from '../domain/order-types.js'
import type { orderWorkflow } from '../workflows/index.js'
import { type FakeStripe, startFakeStripe } from './support/fake-stripe.js'
import { carrierEvent, createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import { askAfterSales } from './support/after-sales.js'
import { connectServices, type TestServices } from './support/services.js'
import { settleMs } from './support/patience.js'

let services: TestServices
let fake: FakeStripe
let stripe: Stripe

beforeAll(async () => {
  services = await connectServices()
  fake = await startFakeStripe(7)
  stripe = createStripeClient({ secretKey: 'sk_test_fake', apiBase: fake.url })
  await services.startWorker({ paymentProviders: [createStripePaymentProvider({ stripe })] })
})
afterAll(async () => {
  await services?.close()
  await fake?.close()
})

describe('the fake Stripe holds us to idempotency keys', () => {
  it('answers a reused key with the first response, refuses it with other parameters, and refuses a POST without one', async () => {
    const params = {
      amount: 1_000,
      currency: 'usd',
      capture_method: 'manual' as const,
      confirm: true,
      payment_method: 'pm_card_visa',
    }
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'key-a' })
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'key-a' })
    expect(again.id).toBe(first.id)
    await expect(stripe.paymentIntents.create({ ...params, amount: 2_000 }, { idempotencyKey: 'key-a' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeIdempotencyError,
    )
    const unkeyed = await fetch(`${fake.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'amount=1000&currency=usd&payment_method=pm_card_visa',
    })
    expect(unkeyed.status).toBe(400)
  })
})

type Ending = 'delivered' | 'cancelled_before_capture' | 'returned_after_capture' | 'refunded_in_parts_after_delivery'

/** The refund window set at delivery (`payment.refundableUntil`); the refunds themselves go through after-sales. */
const refundWindowMs = 15_000

/** Drives one order to its ending the way carriers and customers would. */
async function driveOrder(handle: WorkflowHandle<typeof orderWorkflow>, ending: Ending): Promise<OrderState> {
  const confirmed = await waitForOrder(handle, (order) => order.shipment !== null, settleMs)
  if (ending === 'cancelled_before_capture') {
    await handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: { type: 'customer', id: 'cust_test' }, note: null }] })
    return handle.result()
  }
  await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
  await handle.signal(
    carrierEventSignal,
    carrierEvent(confirmed, ending === 'returned_after_capture' ? 'RETURNED_TO_SENDER' : 'DELIVERED'),
  )
  const order = await handle.result()
  if (ending !== 'refunded_in_parts_after_delivery') return order
  // The order's workflow has closed at delivery: refunds go through its after-sales workflow.
  // Two refunds, the first sent twice (an admin's retry): its update id makes it one.
  const refund = (amount: number, updateId: string) =>
    askAfterSales(
      services,
      order,
      afterSalesRefundUpdate,
      { actor: { type: 'admin', id: 'admin_test' }, amount, reason: 'returned_items', note: null },
      { updateId },
    )
  await Promise.all([refund(300, 'first'), refund(200, 'second'), refund(300, 'first')])
  const { refundable } = await services.client.workflow.getHandle(afterSalesWorkflowId(order.orderId)).query(afterSalesQuery)
  // The order as its read model shows it, after-sales refunds included.
  return {
    ...order,
    paymentStatus: 'PARTIALLY_REFUNDED',
    payment: { ...order.payment, refunded: order.payment.captured - refundable },
  }
}

describe('card payments through Stripe, with 30 % of responses lost after the work is done', () => {
  it('end every order with exactly one authorization, at most one capture, and a ledger that balances', async () => {
    const endings: Ending[] = [
      'delivered',
      'cancelled_before_capture',
      'returned_after_capture',
      'refunded_in_parts_after_delivery',
    ]
    const orders = 24
    const skus = await createProducts(
      services.db,
      Array.from({ length: orders }, () => ({ onHand: 5, unitPrice: 1_250 })),
    )
    fake.lossRate = 0.3
    const requestsBefore = fake.requests
    const callsBefore = fake.calls.length
    const results = await Promise.all(
      skus.map(async (sku, index) => {
        const ending = endings[index % endings.length]!
        const { orderId, handle } = await startOrder(services, {
          lines: [{ sku, quantity: 1 + (index % 3) }],
          payment: { method: 'card', token: 'tok_visa', provider: 'stripe' },
          ...(ending === 'refunded_in_parts_after_delivery' ? { refundWindowMs } : {}),
        })
        return { orderId, ending, order: await driveOrder(handle, ending) }
      }),
    )
    fake.lossRate = 0

    const ledger = { authorizations: 0, captures: 0, captured: 0, refunded: 0 }
    for (const { orderId, ending, order } of results) {
      const intents = fake.intentsOf(orderId)
      expect(intents, `order ${orderId} has exactly one PaymentIntent`).toHaveLength(1)
      const intent = intents[0]!
      const captures = fake.captures.get(intent.id) ?? 0
      expect(captures).toBeLessThanOrEqual(1)
      expect(intent.amount_received - intent.amount_refunded).toBe(order.payment.captured - order.payment.refunded)
      expect(intent.amount).toBe(order.totals.total)
      switch (ending) {
        case 'delivered':
          expect(order.status).toBe('DELIVERED')
          expect({ status: intent.status, received: intent.amount_received }).toEqual({
            status: 'succeeded',
            received: order.totals.total,
          })
          break
        case 'cancelled_before_capture':
          expect(order.status).toBe('CANCELLED')
          expect(order.paymentStatus).toBe('VOIDED')
          expect({ status: intent.status, received: intent.amount_received }).toEqual({ status: 'canceled', received: 0 })
          break
        case 'returned_after_capture':
          expect(order.status).toBe('RETURNED')
          expect(order.paymentStatus).toBe('REFUNDED')
          expect(intent.amount_refunded).toBe(order.totals.total)
          break
        case 'refunded_in_parts_after_delivery':
          expect({ status: order.status, payment: order.paymentStatus, refunded: order.payment.refunded }).toEqual({
            status: 'DELIVERED',
            payment: 'PARTIALLY_REFUNDED',
            refunded: 500,
          })
          expect(intent.amount_refunded).toBe(500)
          expect(
            new Set(fake.calls.filter((call) => call.key.startsWith(`order-${orderId}-refund`)).map((c) => c.key)).size,
          ).toBe(2)
          break
      }
      ledger.authorizations += intents.length
      ledger.captures += captures
      ledger.captured += intent.amount_received
      ledger.refunded += intent.amount_refunded
    }
    const expected = results.reduce((sum, { order }) => sum + order.payment.captured - order.payment.refunded, 0)
    expect(ledger.captured - ledger.refunded).toBe(expected)
    expect(fake.lost).toBeGreaterThan(0)
    const calls = fake.calls.slice(callsBefore)
    const ours = /^order-[0-9a-f-]{36}-(authorize|capture|void|refund(-[0-9]+)?)$/
    expect(calls.filter((call) => !ours.test(call.key))).toEqual([])
    const replays = calls.filter((call) => call.replayed).length
    console.info(
      `[ledger] ${orders} orders, ${fake.requests - requestsBefore} Stripe requests, ${fake.lost} responses lost, ${replays} answered from the idempotency store; ` +
        `${ledger.authorizations} authorizations, ${ledger.captures} captures, captured ${ledger.captured} − refunded ${ledger.refunded} = ${ledger.captured - ledger.refunded} (orders say ${expected})`,
    )
  }, 300_000)
})

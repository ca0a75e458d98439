import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cancelOrderUpdate, carrierEventSignal } from '../workflows/messages.js'
import type { OrderState } from '../domain/order-types.js'
import type { FakePayPal } from './support/fake-paypal.js'
import { carrierEvent, createProducts, startOrder, stockOf, waitForOrder } from './support/fixtures.js'
import type { HttpStack } from './support/http-stack.js'
import { type PayPalStack, startPayPalStack } from './support/paypal-stack.js'
import { settleMs } from './support/patience.js'

const webhookId = 'WH-TEST-0123'
let paypal: PayPalStack
let fake: FakePayPal
let stack: HttpStack
let customer: string

beforeAll(async () => {
  paypal = await startPayPalStack({ seed: 5, webhookId })
  ;({ fake, stack } = paypal)
  customer = await stack.token('customer', 'cust_test')
})
afterAll(() => paypal?.close())

const shipped = (order: OrderState) => order.shipment !== null
const placePayPalOrder = () => paypal.placeOrder(customer)
const deliver = (event: unknown, headers?: Record<string, string>) => paypal.deliver(event, headers)

describe('PayPal orders', () => {
  it('placement returns the approval link; approval by webhook authorizes; pickup captures', async () => {
    const { handle, placed, paypalOrderId, orderId } = await placePayPalOrder()
    expect(placed.paymentAction).toEqual({
      provider: 'paypal',
      reference: paypalOrderId,
      clientSecret: null,
      approvalUrl: `https://www.sandbox.paypal.com/checkoutnow?token=${paypalOrderId}`,
    })
    expect(fake.orders.get(paypalOrderId)).toMatchObject({
      intent: 'AUTHORIZE',
      purchase_units: [{ amount: { value: '18.49' } }],
    })
    const history = JSON.stringify(await handle.fetchHistory())
    expect(history).not.toContain('checkoutnow')

    const approved = fake.approve(paypalOrderId)
    expect((await deliver(approved)).body).toMatchObject({ status: 'accepted', orderId })
    expect((await deliver(approved)).body).toMatchObject({ status: 'duplicate' })
    const confirmed = await waitForOrder(handle, shipped)
    expect(confirmed.payment).toMatchObject({ provider: 'paypal', reference: paypalOrderId, authorized: 1_849 })

    await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
    const paid = await waitForOrder(handle, (order) => order.paymentStatus === 'PAID')
    expect(paid.payment.captured).toBe(1_849)
    const authorization = fake.orders.get(paypalOrderId)!.purchase_units[0]!.payments!.authorizations![0]!
    expect(authorization.status).toBe('CAPTURED')
    expect(fake.captures.get(authorization.id)).toBe(1)
  })

  it("the customer's return call works without a webhook, and cancelling before capture voids the authorization", async () => {
    const { handle, paypalOrderId, orderId, sku } = await placePayPalOrder()
    fake.approve(paypalOrderId)
    const back = await stack.call('POST', `/v1/orders/${orderId}/payment-return`, { token: customer })
    expect(back.status).toBe(202)
    await waitForOrder(handle, shipped)
    await handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: { type: 'customer', id: 'cust_test' }, note: null }] })
    expect(await handle.result()).toMatchObject({ status: 'CANCELLED', paymentStatus: 'VOIDED' })
    expect(fake.orders.get(paypalOrderId)!.purchase_units[0]!.payments!.authorizations![0]!.status).toBe('VOIDED')
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 3, reserved: 0 })
  })

  it('a parcel returned after capture is refunded in full', async () => {
    const { handle, paypalOrderId } = await placePayPalOrder()
    await deliver(fake.approve(paypalOrderId))
    const confirmed = await waitForOrder(handle, shipped)
    await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
    await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'RETURNED_TO_SENDER'))
    expect(await handle.result()).toMatchObject({ status: 'RETURNED', paymentStatus: 'REFUNDED', payment: { refunded: 1_849 } })
    expect(fake.orders.get(paypalOrderId)!.purchase_units[0]!.payments!.captures![0]!.refunded).toBeCloseTo(18.49)
  })

  it('refunds in parts after pickup go back against the capture; one PayPal refuses is a 409 that changes nothing', async () => {
    const { handle, paypalOrderId, orderId } = await placePayPalOrder()
    await deliver(fake.approve(paypalOrderId))
    const confirmed = await waitForOrder(handle, shipped)
    await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
    await waitForOrder(handle, (order) => order.paymentStatus === 'PAID')
    const admin = await stack.token('admin', 'admin_paypal')
    const refund = (amount: number) =>
      stack.call('POST', `/v1/orders/${orderId}/refunds`, {
        token: admin,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { amount, reason: 'returned_items' },
      })
    expect((await refund(849)).body).toMatchObject({ paymentStatus: 'PARTIALLY_REFUNDED', payment: { refunded: 849 } })
    const capture = fake.orders.get(paypalOrderId)!.purchase_units[0]!.payments!.captures![0]!
    expect(capture.refunded).toBeCloseTo(8.49)

    // Someone refunds the rest from PayPal's dashboard; our next refund is refused by PayPal, not retried for hours.
    await paypal.paypal.payments.refundCapturedPayment({
      captureId: capture.id,
      paypalRequestId: `dashboard-${orderId}`,
      body: { amount: { currencyCode: 'USD', value: '10.00' } },
    })
    const refused = await refund(1_000)
    expect([refused.status, refused.body.reason]).toEqual([409, 'refund_refused'])
    expect(refused.body.detail).toContain('REFUND_AMOUNT_EXCEEDED')
    expect(await handle.query('status')).toMatchObject({ paymentStatus: 'PARTIALLY_REFUNDED', payment: { refunded: 849 } })
    expect(capture.refunded).toBeCloseTo(18.49)
    const refundKeys = new Set(fake.calls.filter((call) => call.path.endsWith('/refund')).map((call) => call.key))
    expect([...refundKeys].filter((key) => key.startsWith(`order-${orderId}`)).sort()).toEqual([
      `order-${orderId}-refund`,
      `order-${orderId}-refund-2`,
    ])
  })

  it('an order never approved is cancelled when the approval window closes, and its stock released', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 1 }])
    const { handle } = await startOrder(stack.services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'paypal' },
      paymentActionTimeoutMs: 1_500,
    })
    expect(await handle.result()).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'payment_not_completed' } })
    expect(await stockOf(stack.services.db, sku!)).toEqual({ on_hand: 1, reserved: 0 })
  })

  it('refuses deliveries PayPal does not confirm, and unsigned ones without asking', async () => {
    const { handle, paypalOrderId, orderId } = await placePayPalOrder()
    const approved = fake.approve(paypalOrderId)
    const body = JSON.stringify(approved)
    const forged = { ...fake.sign(body, webhookId), 'PAYPAL-TRANSMISSION-SIG': 'Zm9yZ2Vk' }
    const otherHook = fake.sign(body, 'WH-SOMEONE-ELSE')
    const verificationsBefore = fake.stats.verifications
    const answers = [await deliver(approved, forged), await deliver(approved, otherHook), await deliver(approved, {})]
    expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual(
      Array.from({ length: 3 }, () => [400, 'webhook_signature_invalid']),
    )
    expect(fake.stats.verifications - verificationsBefore).toBe(2)
    const stored = await stack.services.db
      .selectFrom('payment_webhook_events')
      .select('event_id')
      .where('order_id', '=', orderId)
      .execute()
    expect(stored).toEqual([])
    expect(await handle.query('status')).toMatchObject({ paymentStatus: 'ACTION_REQUIRED' })
  })
})

describe('PayPal, with 30 % of responses lost after the work is done', () => {
  it('every order ends with one PayPal order, one authorization, at most one capture, and a balanced ledger', async () => {
    const orders = 9
    const skus = await createProducts(
      stack.services.db,
      Array.from({ length: orders }, () => ({ onHand: 2, unitPrice: 1_000 })),
    )
    fake.lossRate = 0.3
    const results = await Promise.all(
      skus.map(async (sku, index) => {
        const { orderId, handle } = await startOrder(stack.services, {
          lines: [{ sku, quantity: 1 }],
          payment: { method: 'paypal' },
        })
        await waitForOrder(handle, (order) => order.paymentStatus === 'ACTION_REQUIRED', settleMs)
        const [paypalOrder] = fake.ordersOf(orderId)
        fake.approve(paypalOrder!.id)
        const returned = await stack.call('POST', `/v1/orders/${orderId}/payment-return`, { token: customer })
        expect(returned.status, JSON.stringify(returned.body)).toBe(202)
        const confirmed = await waitForOrder(handle, shipped, settleMs)
        if (index % 3 === 0) {
          await handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: { type: 'customer', id: 'cust_test' }, note: null }] })
        } else {
          await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
          await handle.signal(carrierEventSignal, carrierEvent(confirmed, index % 3 === 1 ? 'DELIVERED' : 'RETURNED_TO_SENDER'))
        }
        return { orderId, order: await handle.result() }
      }),
    )
    fake.lossRate = 0
    for (const { orderId, order } of results) {
      const paypalOrders = fake.ordersOf(orderId)
      expect(paypalOrders).toHaveLength(1)
      const payments = paypalOrders[0]!.purchase_units[0]!.payments!
      expect(payments.authorizations).toHaveLength(1)
      expect(payments.captures?.length ?? 0).toBeLessThanOrEqual(1)
      const captured = Math.round(Number(payments.captures?.[0]?.amount.value ?? 0) * 100)
      const refunded = Math.round((payments.captures?.[0]?.refunded ?? 0) * 100)
      expect(captured - refunded).toBe(order.payment.captured - order.payment.refunded)
    }
    expect(fake.lost).toBeGreaterThan(0)
    const captured = results.reduce((sum, { order }) => sum + order.payment.captured, 0)
    const refunded = results.reduce((sum, { order }) => sum + order.payment.refunded, 0)
    console.info(
      `[ledger] PayPal: ${orders} orders, ${fake.requests} requests in this file, ${fake.lost} responses lost; captured ${captured} − refunded ${refunded} = ${captured - refunded}, matching PayPal's records`,
    )
  }, 300_000)
})

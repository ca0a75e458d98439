import { afterAll, beforeAll, expect, it } from 'vitest'
import { carrierEventSignal } from '../workflows/messages.js'
import { carrierEvent, createProducts, paymentsOf, startOrder, stockOf, waitForOrder } from './support/fixtures.js'
import { connectServices, type TestServices } from './support/services.js'

let services: TestServices

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

it('an authorization about to lapse before pickup cancels the order with a reason: hold voided, label cancelled, stock back', async () => {
  const [sku] = await createProducts(services.db, [{ onHand: 3 }])
  const { orderId, handle } = await startOrder(services, {
    lines: [{ sku: sku!, quantity: 1 }],
    payment: { method: 'card', token: 'tok_visa' },
    authorizationValidityMs: 2_000,
  })
  const confirmed = await waitForOrder(handle, (order) => order.shipment !== null)
  expect(Date.parse(confirmed.payment.authorizationExpiresAt!)).toBeGreaterThan(Date.now() - 2_000)

  const cancelled = await handle.result()
  expect(cancelled).toMatchObject({
    status: 'CANCELLED',
    paymentStatus: 'VOIDED',
    fulfillmentStatus: 'LABEL_CANCELLED',
    cancellation: { reason: 'authorization_expired', by: { type: 'system' } },
  })
  expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'voided', captured_amount: 0 }])
  expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 3, reserved: 0 })
})

it('a parcel picked up in time is captured, and the lapse no longer applies', async () => {
  const [sku] = await createProducts(services.db, [{ onHand: 3 }])
  const { orderId, handle } = await startOrder(services, {
    lines: [{ sku: sku!, quantity: 1 }],
    payment: { method: 'card', token: 'tok_visa' },
    authorizationValidityMs: 3_000,
  })
  const confirmed = await waitForOrder(handle, (order) => order.shipment !== null)
  await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
  await waitForOrder(handle, (order) => order.paymentStatus === 'PAID')
  await new Promise((resolve) => setTimeout(resolve, 3_500))
  const later = await waitForOrder(handle, () => true)
  expect(later).toMatchObject({ status: 'SHIPPED', paymentStatus: 'PAID', cancellation: null })
  expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'captured' }])
})

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
  const startedAt = Date.now()
  const { orderId, handle } = await startOrder(services, {
    lines: [{ sku: sku!, quantity: 1 }],
    payment: { method: 'card', token: 'tok_visa' },
    authorizationValidityMs: 2_000,
  })
  const confirmed = await waitForOrder(handle, (order) => order.shipment !== null)
  // The window runs from the authorization, which came after the start and before this answer.
  const lapsesAt = Date.parse(confirmed.payment.authorizationExpiresAt!)
  expect(lapsesAt).toBeGreaterThanOrEqual(startedAt + 2_000)
  expect(lapsesAt).toBeLessThanOrEqual(Date.now() + 2_000)

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
    // Long enough for the pickup to arrive in time on a loaded machine, short enough to wait out below.
    authorizationValidityMs: 15_000,
  })
  const confirmed = await waitForOrder(handle, (order) => order.shipment !== null)
  await handle.signal(carrierEventSignal, carrierEvent(confirmed, 'PICKED_UP'))
  await waitForOrder(handle, (order) => order.paymentStatus === 'PAID')
  const lapsesAt = Date.parse(confirmed.payment.authorizationExpiresAt!)
  await new Promise((resolve) => setTimeout(resolve, Math.max(lapsesAt - Date.now(), 0) + 1_000))
  const later = await waitForOrder(handle, () => true)
  expect(later).toMatchObject({ status: 'SHIPPED', paymentStatus: 'PAID', cancellation: null })
  expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'captured' }])
})

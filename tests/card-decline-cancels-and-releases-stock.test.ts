import { afterAll, beforeAll, expect, it } from 'vitest'
import { connectServices, type RunningWorker, type TestServices } from './support/services.js'
import { createProducts, notificationsOf, paymentsOf, reservationsOf, startOrder, stockOf } from './support/fixtures.js'

let services: TestServices
let worker: RunningWorker

beforeAll(async () => {
  services = await connectServices()
  worker = await services.startWorker()
})
afterAll(() => services?.close())

it('a declined card cancels the order with reason payment_declined and gives the stock back', async () => {
  const [sku] = await createProducts(services.db, [{ onHand: 3 }])
  const { orderId, handle } = await startOrder(services, {
    lines: [{ sku: sku!, quantity: 2 }],
    payment: { method: 'card', token: 'tok_chargeDeclined' },
  })
  const order = await handle.result()

  expect(order.status).toBe('CANCELLED')
  expect(order.paymentStatus).toBe('FAILED')
  expect(order.payment.declineCode).toBe('generic_decline')
  expect(order.cancellation).toMatchObject({ reason: 'payment_declined', by: { type: 'system' } })
  expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 3, reserved: 0 })
  expect(await reservationsOf(services.db, orderId)).toEqual([{ sku, quantity: 2, state: 'released' }])
  expect(await paymentsOf(services.db, orderId)).toEqual([])
  expect(await notificationsOf(services.db, orderId)).toEqual(['placed', 'cancelled'])
})

it('an order for more than is in stock is cancelled as out_of_stock and reserves nothing', async () => {
  const [plenty, scarce] = await createProducts(services.db, [{ onHand: 10 }, { onHand: 1 }])
  const { orderId, handle } = await startOrder(services, {
    lines: [
      { sku: plenty!, quantity: 2 },
      { sku: scarce!, quantity: 2 },
    ],
    payment: { method: 'card', token: 'tok_visa' },
  })
  const order = await handle.result()

  expect(order.status).toBe('CANCELLED')
  expect(order.cancellation?.reason).toBe('out_of_stock')
  expect(await reservationsOf(services.db, orderId)).toEqual([])
  expect(await stockOf(services.db, plenty!)).toEqual({ on_hand: 10, reserved: 0 })
  expect(await stockOf(services.db, scarce!)).toEqual({ on_hand: 1, reserved: 0 })
  expect(await paymentsOf(services.db, orderId)).toEqual([])
})

it('an order whose catalog price changed after the quote is cancelled before any charge', async () => {
  const [sku] = await createProducts(services.db, [{ onHand: 5, unitPrice: 1_000 }])
  await worker.stop()
  const { orderId, handle } = await startOrder(services, {
    lines: [{ sku: sku!, quantity: 1 }],
    payment: { method: 'card', token: 'tok_visa' },
  })
  await services.db.updateTable('product_prices').set({ unit_amount: 1_500 }).where('sku', '=', sku!).execute()
  worker = await services.startWorker()
  const order = await handle.result()

  expect(order.status).toBe('CANCELLED')
  expect(order.cancellation?.reason).toBe('price_changed')
  expect(await paymentsOf(services.db, orderId)).toEqual([])
  expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 5, reserved: 0 })
})

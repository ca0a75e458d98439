import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { carrierEventSignal } from '../workflows/messages.js'
import { connectServices, type TestServices } from './support/services.js'
import {
  carrierEvent,
  createProducts,
  notificationsOf,
  paymentsOf,
  reservationsOf,
  startOrder,
  stockOf,
  waitForOrder,
} from './support/fixtures.js'

let services: TestServices

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

describe('a card order', () => {
  it('is authorized, shipped, captured at pickup and delivered', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 5, unitPrice: 2_500 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 2 }],
      payment: { method: 'card', token: 'tok_visa' },
    })

    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    expect(labelled.status).toBe('CONFIRMED')
    expect(labelled.paymentStatus).toBe('AUTHORIZED')
    expect(labelled.totals).toEqual({ currency: 'USD', subtotal: 5_000, shipping: 599, total: 5_599 })
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 5, reserved: 2 })

    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
    const shipped = await waitForOrder(handle, (order) => order.status === 'SHIPPED')
    expect(shipped.paymentStatus).toBe('PAID')
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 3, reserved: 0 })

    await handle.signal(carrierEventSignal, carrierEvent(shipped, 'IN_TRANSIT'))
    await handle.signal(carrierEventSignal, carrierEvent(shipped, 'OUT_FOR_DELIVERY'))
    await handle.signal(carrierEventSignal, carrierEvent(shipped, 'DELIVERED'))
    const delivered = await handle.result()

    expect(delivered.status).toBe('DELIVERED')
    expect(delivered.fulfillmentStatus).toBe('DELIVERED')
    expect(delivered.payment).toMatchObject({ authorized: 5_599, captured: 5_599, refunded: 0 })
    const [payment, ...others] = await paymentsOf(services.db, orderId)
    expect(others).toHaveLength(0)
    expect(payment).toMatchObject({ status: 'captured', authorized_amount: 5_599, captured_amount: 5_599 })
    expect(await reservationsOf(services.db, orderId)).toEqual([{ sku, quantity: 2, state: 'committed' }])
    expect(await notificationsOf(services.db, orderId)).toEqual(['placed', 'confirmed', 'shipped', 'delivered'])
    expect(delivered.timeline.map((entry) => entry.type)).toEqual([
      'order_placed',
      'stock_reserved',
      'payment_authorized',
      'label_created',
      'carrier_event',
      'payment_captured',
      'carrier_event',
      'carrier_event',
      'carrier_event',
    ])

    const row = await services.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'DELIVERED', payment_status: 'PAID', fulfillment_status: 'DELIVERED', total: 5_599 })
    const timeline = await services.db.selectFrom('order_timeline').select('type').where('order_id', '=', orderId).execute()
    expect(timeline).toHaveLength(delivered.timeline.length)
  })

  it('ignores duplicate carrier events and never moves backwards on a late one', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')

    const pickedUp = carrierEvent(labelled, 'PICKED_UP')
    const inTransit = carrierEvent(labelled, 'IN_TRANSIT')
    await handle.signal(carrierEventSignal, inTransit)
    await handle.signal(carrierEventSignal, inTransit)
    await handle.signal(carrierEventSignal, pickedUp)
    await handle.signal(carrierEventSignal, pickedUp)
    const after = await waitForOrder(handle, (order) => order.timeline.filter((e) => e.type === 'carrier_event').length === 2)

    expect(after.status).toBe('SHIPPED')
    expect(after.fulfillmentStatus).toBe('IN_TRANSIT')
    const carrierEntries = after.timeline.filter((entry) => entry.type === 'carrier_event')
    expect(carrierEntries.map((entry) => entry.data?.['status'])).toEqual(['IN_TRANSIT', 'PICKED_UP'])
    expect(carrierEntries[1]?.message).toContain('out of order')
    expect(after.timeline.filter((entry) => entry.type === 'payment_captured')).toHaveLength(1)
  })

  it('keeps the search attributes operators list orders by', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 1, unitPrice: 4_200 }])
    const { handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId: 'cust_search',
    })
    await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    const description = await handle.describe()
    expect(description.searchAttributes['OrderStatus']).toEqual(['CONFIRMED'])
    expect(description.searchAttributes['OrderTotal']).toEqual([4_799])
  })
})

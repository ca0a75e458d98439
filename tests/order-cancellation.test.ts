import { WorkflowUpdateFailedError } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cancelOrderUpdate, carrierEventSignal } from '../workflows/messages.js'
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
const owner = { type: 'customer' as const, id: 'cust_owner' }

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

describe('cancelling an order', () => {
  it('before pickup voids the payment, releases the stock and cancels the label, in reverse order', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 3 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 3 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId: owner.id,
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')

    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: owner, note: 'changed my mind' }] })

    expect(cancelled.status).toBe('CANCELLED')
    expect(cancelled.paymentStatus).toBe('VOIDED')
    expect(cancelled.fulfillmentStatus).toBe('LABEL_CANCELLED')
    expect(cancelled.cancellation).toMatchObject({ reason: 'customer_request', by: owner, note: 'changed my mind' })
    const undoSteps = cancelled.timeline.map((entry) => entry.type).slice(-4)
    expect(undoSteps).toEqual(['label_cancelled', 'payment_voided', 'stock_released', 'order_cancelled'])
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'voided', captured_amount: 0 }])
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 3, reserved: 0 })
    expect(await reservationsOf(services.db, orderId)).toEqual([{ sku, quantity: 3, state: 'released' }])
    const parcel = await services.db
      .selectFrom('simulated_parcels')
      .select('cancelled_at')
      .where('tracking_number', '=', labelled.shipment!.trackingNumber)
      .executeTakeFirstOrThrow()
    expect(parcel.cancelled_at).not.toBeNull()
    expect(await handle.result()).toMatchObject({ status: 'CANCELLED' })
    expect(await notificationsOf(services.db, orderId)).toEqual(['placed', 'confirmed', 'cancelled'])
  })

  it('after pickup is refused with already_shipped, and the order carries on', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId: owner.id,
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
    await waitForOrder(handle, (order) => order.status === 'SHIPPED')

    const refused = handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: owner, note: null }] })
    await expect(refused).rejects.toThrow(WorkflowUpdateFailedError)
    await expect(refused).rejects.toMatchObject({ cause: { message: 'already_shipped' } })

    const order = await waitForOrder(handle, () => true)
    expect(order.status).toBe('SHIPPED')
    expect(order.paymentStatus).toBe('PAID')
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'captured' }])
  })

  it("is refused for another customer's order", async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'cod' },
      customerId: owner.id,
    })
    await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    await expect(
      handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: { type: 'customer', id: 'cust_stranger' }, note: null }] }),
    ).rejects.toMatchObject({ cause: { message: 'not_owner' } })

    const byAdmin = await handle.executeUpdate(cancelOrderUpdate, {
      args: [{ actor: { type: 'admin', id: 'admin_1' }, note: 'fraud' }],
    })
    expect(byAdmin.cancellation?.reason).toBe('admin_request')
  })
})

describe('a parcel returned to sender', () => {
  it('refunds the captured payment and puts the items back in stock', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2, unitPrice: 6_000 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 2 }],
      payment: { method: 'card', token: 'tok_visa' },
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'EXCEPTION'))
    const flagged = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'EXCEPTION')
    expect(flagged.status).toBe('SHIPPED')
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 0, reserved: 0 })

    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'RETURNED_TO_SENDER'))
    const order = await handle.result()

    expect(order.status).toBe('RETURNED')
    expect(order.paymentStatus).toBe('REFUNDED')
    expect(order.payment).toMatchObject({ captured: 12_000, refunded: 12_000 })
    expect(await paymentsOf(services.db, orderId)).toMatchObject([
      { status: 'refunded', captured_amount: 12_000, refunded_amount: 12_000 },
    ])
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 2, reserved: 0 })
    expect(await reservationsOf(services.db, orderId)).toEqual([{ sku, quantity: 2, state: 'restocked' }])
    expect(await notificationsOf(services.db, orderId)).toEqual([
      'placed',
      'confirmed',
      'shipped',
      'delivery_exception',
      'returned',
      'refunded',
    ])
  })
})

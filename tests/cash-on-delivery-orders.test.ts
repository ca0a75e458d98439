import { WorkflowUpdateFailedError } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { carrierEventSignal, confirmCodUpdate } from '../workflows/messages.js'
import { connectServices, type TestServices } from './support/services.js'
import {
  carrierEvent,
  createProducts,
  notificationsOf,
  reservationsOf,
  startOrder,
  stockOf,
  waitForOrder,
} from './support/fixtures.js'

let services: TestServices
const admin = { type: 'admin' as const, id: 'admin_1' }

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

describe('a cash-on-delivery order', () => {
  it('waits for an admin, then ships and records the cash collected at delivery', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 4, unitPrice: 3_000 }])
    const { orderId, handle } = await startOrder(services, { lines: [{ sku: sku!, quantity: 1 }], payment: { method: 'cod' } })
    const waiting = await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect(waiting.codConfirmationDeadline).not.toBeNull()
    expect(waiting.paymentStatus).toBe('PENDING')
    expect((await handle.describe()).searchAttributes['OrderStatus']).toEqual(['AWAITING_CONFIRMATION'])

    const confirmed = await handle.executeUpdate(confirmCodUpdate, { args: [{ actor: admin }] })
    expect(confirmed.status).toBe('CONFIRMED')
    expect(confirmed.timeline.find((entry) => entry.type === 'cod_confirmed')?.actor).toEqual(admin)

    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'DELIVERED'))
    const delivered = await handle.result()

    expect(delivered.status).toBe('DELIVERED')
    expect(delivered.paymentStatus).toBe('PAID')
    expect(delivered.payment.captured).toBe(delivered.totals.total)
    expect(delivered.timeline.some((entry) => entry.type === 'cash_collected')).toBe(true)
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 3, reserved: 0 })
    expect(await notificationsOf(services.db, orderId)).toEqual(['placed', 'confirmed', 'shipped', 'delivered'])
  })

  it('is cancelled and its stock released when nobody confirms it before the deadline', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 2 }],
      payment: { method: 'cod' },
      codConfirmationTimeoutMs: 1_500,
    })
    await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 2, reserved: 2 })

    const order = await handle.result()
    expect(order.status).toBe('CANCELLED')
    expect(order.cancellation).toMatchObject({ reason: 'cod_confirmation_expired', by: { type: 'system' } })
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 2, reserved: 0 })
    expect(await reservationsOf(services.db, orderId)).toEqual([{ sku, quantity: 2, state: 'released' }])
  })

  it('refuses a confirmation from a customer, and a confirmation of a card order', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2 }])
    const cod = await startOrder(services, { lines: [{ sku: sku!, quantity: 1 }], payment: { method: 'cod' } })
    await waitForOrder(cod.handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    const byCustomer = cod.handle.executeUpdate(confirmCodUpdate, { args: [{ actor: { type: 'customer', id: 'cust_test' } }] })
    await expect(byCustomer).rejects.toThrow(WorkflowUpdateFailedError)
    await expect(byCustomer).rejects.toMatchObject({ cause: { message: 'not_admin' } })

    const card = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
    })
    await waitForOrder(card.handle, (order) => order.status === 'CONFIRMED')
    await expect(card.handle.executeUpdate(confirmCodUpdate, { args: [{ actor: admin }] })).rejects.toMatchObject({
      cause: { message: 'not_cash_on_delivery' },
    })
    expect((await cod.handle.describe()).status.name).toBe('RUNNING')
  })
})

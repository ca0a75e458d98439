/**
 * An order can be edited (`editOrder`) until the carrier has any parcel: the
 * new lines are re-priced, what the edit adds is authorized apart, the
 * reservation and the parcels follow, and the timeline, the customer's
 * notices and `OrderTotal` say so. Refused, with nothing changed, after a
 * pickup (even one racing the edit), for stock, or when the card declines
 * what the edit adds.
 */
import { randomUUID } from 'node:crypto'
import type { WorkflowHandle } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OrderLineRequest, OrderState } from '../domain/order-types.js'
import type { orderWorkflow } from '../workflows/index.js'
import { carrierEventSignal, editOrderUpdate, editUpdateId } from '../workflows/messages.js'
import { keepHistory } from './support/kept-histories.js'
import { connectServices, type TestServices } from './support/services.js'
import {
  carrierEvent,
  createProducts,
  notificationsOf,
  paymentsOf,
  refusalOf,
  startOrder,
  waitForOrder,
} from './support/fixtures.js'

let services: TestServices

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

const customer = { type: 'customer' as const, id: 'cust_edit' }
const labelled = (order: OrderState) => order.fulfillmentStatus === 'LABEL_CREATED'

function edit(handle: WorkflowHandle<typeof orderWorkflow>, lines: OrderLineRequest[]) {
  const editId = randomUUID()
  return handle.executeUpdate(editOrderUpdate, { args: [{ editId, lines, by: customer }], updateId: editUpdateId(editId) })
}

async function placed(lines: (skus: string[]) => OrderLineRequest[], token = 'tok_visa', onHand = 5) {
  const skus = await createProducts(services.db, [
    { onHand, unitPrice: 2_000 },
    { onHand, unitPrice: 3_000 },
  ])
  const { orderId, handle } = await startOrder(services, {
    lines: lines(skus),
    payment: { method: 'card', token },
    customerId: customer.id,
  })
  const ready = await waitForOrder(handle, labelled)
  return { skus, orderId, handle, ready }
}

describe('an order edit before hand-over', () => {
  it('adds a line: re-priced, the difference authorized apart, a parcel of its own, all captured at the pickups', async () => {
    const { skus, orderId, handle, ready } = await placed(([a]) => [{ sku: a!, quantity: 1 }])
    const edited = await edit(handle, [
      { sku: skus[0]!, quantity: 1 },
      { sku: skus[1]!, quantity: 1 },
    ])
    console.log('edit adding a line:', ready.totals.total, '->', edited.totals.total)
    expect(edited.totals.total).toBe(2_000 + 3_000 + 599)
    expect(edited.lines.map((line) => line.sku).sort()).toEqual([...skus].sort())
    expect(edited.payment.authorized).toBe(edited.totals.total)
    // The parcel whose label was bought keeps it; the added line ships in a parcel of its own.
    expect(edited.shipments).toHaveLength(2)
    expect(edited.shipment?.trackingNumber).toBe(ready.shipment?.trackingNumber)
    expect(edited.shipments?.[1]?.lines).toEqual([{ sku: skus[1], quantity: 1 }])
    expect(edited.timeline.at(-1)).toMatchObject({
      type: 'order_edited',
      actor: customer,
      data: { oldTotal: 2_599, newTotal: 5_599 },
    })
    expect((await handle.describe()).searchAttributes['OrderTotal']).toEqual([5_599])

    for (const parcel of edited.shipments ?? []) {
      await handle.signal(carrierEventSignal, { ...carrierEvent(edited, 'PICKED_UP'), trackingNumber: parcel.trackingNumber! })
    }
    const shipped = await waitForOrder(handle, (order) => order.status === 'SHIPPED')
    expect(shipped.payment.captured).toBe(5_599)
    const ledger = await paymentsOf(services.db, orderId)
    console.log(
      'ledger:',
      ledger.map((row) => `${row.status} ${row.captured_amount}/${row.authorized_amount}`),
    )
    expect(ledger.map((row) => row.captured_amount).sort()).toEqual([2_599, 3_000])
    expect(await notificationsOf(services.db, orderId)).toEqual(['placed', 'confirmed', 'edited', 'shipped'])
    for (const parcel of edited.shipments ?? []) {
      await handle.signal(carrierEventSignal, { ...carrierEvent(edited, 'DELIVERED'), trackingNumber: parcel.trackingNumber! })
    }
    expect(await handle.result()).toMatchObject({ status: 'DELIVERED', paymentStatus: 'PAID' })
    await keepHistory(handle, 'card-order-edited-a-line-added-in-a-parcel-of-its-own-two-captures-delivered')
  })

  it('removes a line: the lower total is what the pickup captures, the rest released', async () => {
    const { skus, orderId, handle } = await placed(([a, b]) => [
      { sku: a!, quantity: 1 },
      { sku: b!, quantity: 1 },
    ])
    const edited = await edit(handle, [{ sku: skus[1]!, quantity: 1 }])
    expect(edited.totals.total).toBe(3_000 + 599)
    await handle.signal(carrierEventSignal, carrierEvent(edited, 'PICKED_UP'))
    const shipped = await waitForOrder(handle, (order) => order.status === 'SHIPPED')
    console.log('edit removing a line: captured', shipped.payment.captured, 'of', shipped.payment.authorized)
    expect(shipped.payment.captured).toBe(3_599)
    await handle.signal(carrierEventSignal, carrierEvent(edited, 'DELIVERED'))
    expect(await handle.result()).toMatchObject({ status: 'DELIVERED' })
    await keepHistory(handle, 'card-order-edited-a-line-removed-captured-less-delivered')
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'captured', captured_amount: 3_599 }])
    const reserved = await services.db
      .selectFrom('stock_levels')
      .select(['sku', 'on_hand', 'reserved'])
      .where('sku', 'in', skus)
      .execute()
    expect(reserved.find((level) => level.sku === skus[0])).toMatchObject({ on_hand: 5, reserved: 0 })
  })

  it('is refused after pickup, for stock, and when the card declines what it adds; the order unchanged', async () => {
    const afterPickup = await placed(([a]) => [{ sku: a!, quantity: 1 }])
    await afterPickup.handle.signal(carrierEventSignal, carrierEvent(afterPickup.ready, 'PICKED_UP'))
    await waitForOrder(afterPickup.handle, (order) => order.status === 'SHIPPED')
    expect(await refusalOf(edit(afterPickup.handle, [{ sku: afterPickup.skus[0]!, quantity: 2 }]))).toBe('already_shipped')

    const short = await placed(([a]) => [{ sku: a!, quantity: 1 }], 'tok_visa', 2)
    expect(await refusalOf(edit(short.handle, [{ sku: short.skus[0]!, quantity: 3 }]))).toBe('out_of_stock')
    const afterStock = await short.handle.query('status')
    expect((afterStock as OrderState).totals).toEqual(short.ready.totals)

    // 6599 held of the card's 10000; the edit would add 5401 more.
    const limited = await placed(([a]) => [{ sku: a!, quantity: 3 }], 'tok_visaLimit10000', 10)
    const declined = edit(limited.handle, [{ sku: limited.skus[0]!, quantity: 6 }])
    expect(await refusalOf(declined)).toBe('payment_declined')
    const afterDecline = (await limited.handle.query('status')) as OrderState
    console.log('declined edit: total stays', afterDecline.totals.total, 'authorized', afterDecline.payment.authorized)
    expect(afterDecline.totals).toEqual(limited.ready.totals)
    expect(afterDecline.lines).toEqual(limited.ready.lines)
    expect(afterDecline.timeline.some((entry) => entry.type === 'order_edited')).toBe(false)
    expect(await refusalOf(edit(limited.handle, limited.ready.lines))).toBe('nothing_changed')
    await limited.handle.signal(carrierEventSignal, carrierEvent(limited.ready, 'PICKED_UP'))
    await limited.handle.signal(carrierEventSignal, carrierEvent(limited.ready, 'DELIVERED'))
    expect(await limited.handle.result()).toMatchObject({ status: 'DELIVERED', payment: { captured: 6_599 } })
    await keepHistory(limited.handle, 'card-order-edit-declined-for-what-it-adds-then-delivered-unchanged')
  })

  it('loses a race against a pickup sent just before it: the pickup wins, the edit is refused', async () => {
    const { skus, handle, ready } = await placed(([a]) => [{ sku: a!, quantity: 1 }])
    await handle.signal(carrierEventSignal, carrierEvent(ready, 'PICKED_UP'))
    const refusal = await refusalOf(edit(handle, [{ sku: skus[0]!, quantity: 2 }]))
    const shipped = await waitForOrder(handle, (order) => order.status === 'SHIPPED')
    console.log('race: edit', refusal, '; order', shipped.status, shipped.payment.captured)
    expect(refusal).toBe('already_shipped')
    expect(shipped.totals).toEqual(ready.totals)
    expect(shipped.payment.captured).toBe(ready.totals.total)
    await handle.signal(carrierEventSignal, carrierEvent(ready, 'DELIVERED'))
    expect(await handle.result()).toMatchObject({ status: 'DELIVERED' })
    await keepHistory(handle, 'card-order-edit-racing-a-pickup-refused-already-shipped-delivered')
  })
})

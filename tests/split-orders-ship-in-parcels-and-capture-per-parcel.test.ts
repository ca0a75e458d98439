/**
 * An order whose lines no single location holds ships in several parcels,
 * one shipment child workflow each: the sandbox captures each parcel's share
 * at its hand-over, the order is SHIPPED once the carrier has every parcel
 * and DELIVERED once every parcel is; a parcel that comes back refunds and
 * restocks its own lines only; a parcel not yet handed over can be cancelled.
 */
import { randomUUID } from 'node:crypto'
import type { WorkflowHandle } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OrderState, ParcelView } from '../domain/order-types.js'
import type { CarrierEventStatus } from '../domain/vocabulary.js'
import { cancelOrderUpdate, carrierEventSignal, orderIdFromWorkflowId } from '../workflows/messages.js'
import { shipmentWorkflowId } from '../domain/fulfilment.js'
import { keepHistory as keepOrderHistory } from './support/kept-histories.js'
import { connectServices, type TestServices } from './support/services.js'
import { createProducts, notificationsOf, paymentsOf, startOrder, waitForOrder } from './support/fixtures.js'

let services: TestServices

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

/** Two products, each held by a location of its own (one in France, one in Germany): no location has both. */
async function productsInTwoLocations(prices: [number, number]): Promise<{ skus: [string, string]; locations: string[] }> {
  const [a, b] = (await createProducts(services.db, [
    { onHand: 0, unitPrice: prices[0] },
    { onHand: 0, unitPrice: prices[1] },
  ])) as [string, string]
  const locations = ['fr', 'de'].map((country) => `split-${randomUUID().slice(0, 8)}-${country}`)
  await services.db.deleteFrom('stock_levels').where('sku', 'in', [a, b]).execute()
  await services.db
    .insertInto('stock_locations')
    .values(locations.map((id, index) => ({ id, name: id, country: index === 0 ? 'FR' : 'DE' })))
    .execute()
  await services.db
    .insertInto('stock_levels')
    .values([
      { sku: a, location_id: locations[0]!, on_hand: 5 },
      { sku: b, location_id: locations[1]!, on_hand: 5 },
    ])
    .execute()
  return { skus: [a, b], locations }
}

async function levelsOf(skus: string[]) {
  return services.db
    .selectFrom('stock_levels')
    .select(['sku', 'location_id', 'on_hand', 'reserved'])
    .where('sku', 'in', skus)
    .orderBy('sku')
    .execute()
}

let counter = 0
async function scan(handle: WorkflowHandle, parcel: ParcelView | undefined, status: CarrierEventStatus): Promise<void> {
  if (!parcel?.trackingNumber) throw new Error('the parcel has no label yet')
  counter += 1
  await handle.signal(carrierEventSignal, {
    eventId: `evt-${parcel.id}-${counter}`,
    trackingNumber: parcel.trackingNumber,
    status,
    occurredAt: new Date().toISOString(),
    location: null,
  })
}

const labelled = (order: OrderState) => {
  if (order.status === 'CANCELLED') throw new Error(`cancelled: ${JSON.stringify(order.timeline.slice(-4))}`)
  return order.shipments?.length === 2 && order.shipments.every((parcel) => parcel.status === 'LABEL_CREATED')
}

/** Saves the order's history and each parcel's own (its child workflow, for `tests/histories/other-workflows/`). */
async function keepHistory(handle: WorkflowHandle, name: string): Promise<void> {
  await keepOrderHistory(handle, name)
  const orderId = orderIdFromWorkflowId(handle.workflowId)!
  for (const parcel of [1, 2])
    await keepOrderHistory(handle.client.getHandle(shipmentWorkflowId(orderId, parcel)), `${name}-parcel-${parcel}`)
}

/** A card order of one line from each location (at 25.00 and 40.00), waited for until both labels are bought. */
async function splitOrderLabelled([first, second]: [number, number]) {
  const { skus, locations } = await productsInTwoLocations([2_500, 4_000])
  const { orderId, handle } = await startOrder(services, {
    lines: [
      { sku: skus[0], quantity: first },
      { sku: skus[1], quantity: second },
    ],
    payment: { method: 'card', token: 'tok_visa' },
  })
  return { skus, locations, orderId, handle, ready: await waitForOrder(handle, labelled) }
}

describe('an order split over two locations', () => {
  it('ships in two parcels, captures each at its hand-over, and is DELIVERED when both are', async () => {
    const { skus, locations, orderId, handle, ready } = await splitOrderLabelled([1, 1])
    const [first, second] = ready.shipments!
    console.log(
      'parcels:',
      ready.shipments!.map((p) => `${p.id} from ${p.locationId}: ${p.lines.map((l) => l.sku)}`),
    )
    expect(ready.status).toBe('CONFIRMED')
    expect(ready.totals.total).toBe(2_500 + 4_000 + 599)
    expect(new Set(ready.shipments!.map((parcel) => parcel.locationId))).toEqual(new Set(locations))
    expect(first!.id).toBe(`shipment-${orderId}-1`)
    expect(ready.shipment?.trackingNumber).toBe(first!.trackingNumber)
    expect(first!.trackingNumber).not.toBe(second!.trackingNumber)
    const firstShare = ready.lines.find((line) => line.sku === first!.lines[0]!.sku)!.lineTotal + 599

    await scan(handle, first, 'PICKED_UP')
    const partly = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'PARTIALLY_SHIPPED')
    expect(partly.status).toBe('CONFIRMED')
    expect(partly.paymentStatus).toBe('AUTHORIZED')
    expect(partly.payment.captured).toBe(firstShare)

    await scan(handle, second, 'PICKED_UP')
    const shipped = await waitForOrder(handle, (order) => order.status === 'SHIPPED')
    expect(shipped.paymentStatus).toBe('PAID')
    expect(shipped.payment.captured).toBe(ready.totals.total)
    expect(await levelsOf([...skus])).toEqual(expect.arrayContaining([expect.objectContaining({ on_hand: 4, reserved: 0 })]))

    await scan(handle, first, 'DELIVERED')
    const half = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'PARTIALLY_DELIVERED')
    expect(half.status).toBe('SHIPPED')
    await scan(handle, second, 'IN_TRANSIT')
    await scan(handle, second, 'IN_TRANSIT')
    await scan(handle, second, 'DELIVERED')
    const delivered = await handle.result()

    expect(delivered.status).toBe('DELIVERED')
    expect(delivered.fulfillmentStatus).toBe('DELIVERED')
    const captures = delivered.timeline
      .filter((entry) => entry.type === 'payment_captured')
      .map((entry) => entry.data?.['amount'])
    console.log('captures:', captures, 'total:', delivered.totals.total)
    expect(captures).toEqual([firstShare, delivered.totals.total - firstShare])
    const [payment, ...others] = await paymentsOf(services.db, orderId)
    expect(others).toHaveLength(0)
    expect(payment).toMatchObject({ status: 'captured', captured_amount: delivered.totals.total })
    expect(delivered.timeline.filter((entry) => entry.type === 'carrier_event')).toHaveLength(5)
    expect(await notificationsOf(services.db, orderId)).toEqual(['placed', 'confirmed', 'shipped', 'delivered'])
    for (const parcel of delivered.shipments!) {
      const child = await services.client.workflow.getHandle(parcel.id).describe()
      expect(child.status.name).toBe('COMPLETED')
    }
    await keepHistory(handle, 'card-order-split-over-two-locations-two-parcels-two-captures-delivered')
  })

  it('refunds and restocks only the lines of a parcel returned to sender while the other is delivered', async () => {
    const { skus, handle, ready } = await splitOrderLabelled([1, 2])
    const [first, second] = ready.shipments!
    await scan(handle, first, 'PICKED_UP')
    await scan(handle, second, 'PICKED_UP')
    await waitForOrder(handle, (order) => order.status === 'SHIPPED')
    await scan(handle, first, 'DELIVERED')
    await scan(handle, second, 'EXCEPTION')
    await scan(handle, second, 'RETURNED_TO_SENDER')
    const ended = await handle.result()

    const returnedLines = ended.lines.filter((line) => second!.lines.some((l) => l.sku === line.sku))
    const returnedTotal = returnedLines.reduce((sum, line) => sum + line.lineTotal, 0)
    console.log('returned parcel refund:', ended.payment.refunded, 'of', ended.payment.captured)
    expect(ended.status).toBe('DELIVERED')
    expect(ended.fulfillmentStatus).toBe('PARTIALLY_DELIVERED')
    expect(ended.payment.refunded).toBe(returnedTotal)
    expect(ended.paymentStatus).toBe('PARTIALLY_REFUNDED')
    const returnedSku = second!.lines[0]!.sku
    const keptSku = first!.lines[0]!.sku
    const levels = await levelsOf([...skus])
    expect(levels.find((level) => level.sku === returnedSku)).toMatchObject({ on_hand: 5, reserved: 0 })
    const keptQuantity = first!.lines[0]!.quantity
    expect(levels.find((level) => level.sku === keptSku)).toMatchObject({ on_hand: 5 - keptQuantity, reserved: 0 })
    await keepHistory(handle, 'card-order-in-two-parcels-one-delivered-one-returned-to-sender')
  })

  it('cancels a parcel not yet handed over after the other was picked up: its stock released, its share never taken', async () => {
    const { orderId, handle, ready } = await splitOrderLabelled([1, 1])
    const [first, second] = ready.shipments!
    await scan(handle, first, 'PICKED_UP')
    await waitForOrder(handle, (order) => order.fulfillmentStatus === 'PARTIALLY_SHIPPED')
    const actor = { type: 'customer' as const, id: 'cust_test' }
    await expect(
      handle.executeUpdate(cancelOrderUpdate, { args: [{ actor, note: null, shipmentIds: [first!.id] }] }),
    ).rejects.toThrow()
    const after = await handle.executeUpdate(cancelOrderUpdate, {
      args: [{ actor, note: 'changed my mind', shipmentIds: [second!.id] }],
    })
    expect(after.shipments?.find((parcel) => parcel.id === second!.id)?.status).toBe('LABEL_CANCELLED')
    expect(after.status).toBe('SHIPPED')
    expect(after.paymentStatus).toBe('PAID')
    const firstShare = ready.lines.find((line) => line.sku === first!.lines[0]!.sku)!.lineTotal + 599
    expect(after.payment.captured).toBe(firstShare)
    const [payment] = await paymentsOf(services.db, orderId)
    expect(payment).toMatchObject({ status: 'captured', captured_amount: firstShare })
    const cancelledSku = second!.lines[0]!.sku
    expect((await levelsOf([cancelledSku]))[0]).toMatchObject({ on_hand: 5, reserved: 0 })
    await scan(handle, first, 'DELIVERED')
    const delivered = await handle.result()
    console.log('after a parcel cancelled:', delivered.status, delivered.payment)
    expect(delivered.status).toBe('DELIVERED')
    await keepHistory(handle, 'card-order-in-two-parcels-the-second-cancelled-after-the-first-was-picked-up-delivered')
  })
})

/**
 * Messages apply in the order they arrived: a carrier's pickup that reached
 * the order before a customer's cancellation is applied first, and a
 * cancellation never undoes a parcel the carrier already has. Both arrive
 * here while no worker runs, as after a worker crash or a deploy.
 */
import type { WorkflowHandle } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatedCarrier } from '../adapters/shipping/simulated-carrier.js'
import { cancelOrderUpdate, carrierEventSignal } from '../workflows/messages.js'
import { carrierEvent, createProducts, notificationsOf, paymentsOf, startOrder, waitForOrder } from './support/fixtures.js'
import { keepHistory } from './support/kept-histories.js'
import { connectServices, type RunningWorker, type TestServices } from './support/services.js'

let services: TestServices
let worker: RunningWorker
beforeAll(async () => {
  services = await connectServices()
  worker = await services.startWorker()
})
afterAll(() => services?.close())

/** Waits until the workflow has nothing to do: no workflow task and no activity pending. */
async function idle(handle: WorkflowHandle): Promise<void> {
  await expect
    .poll(
      async () => {
        const { raw } = await handle.describe()
        return raw.pendingWorkflowTask == null && (raw.pendingActivities?.length ?? 0) === 0
      },
      { timeout: 30_000 },
    )
    .toBe(true)
}

describe('a pickup and a cancellation that both arrived while no worker ran', () => {
  it('apply in that order: the cancellation is refused already_shipped, the parcel and the money stay, the order ships', async () => {
    const owner = { type: 'customer' as const, id: 'cust_race' }
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId: owner.id,
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await idle(handle)
    await worker.stop()

    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
    const cancellation = handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: owner, note: 'changed my mind' }] })
    cancellation.catch(() => undefined) // awaited below, once a worker runs again
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    worker = await services.startWorker()

    await expect(cancellation).rejects.toMatchObject({ cause: { message: 'already_shipped' } })
    const shipped = await waitForOrder(handle, (order) => order.status === 'SHIPPED', 30_000)
    expect(shipped).toMatchObject({ paymentStatus: 'PAID', fulfillmentStatus: 'PICKED_UP', cancellation: null })
    const story = shipped.timeline.map((entry) => `${entry.actor.type} ${entry.type} ${entry.message}`)
    console.log(story.slice(-4))
    const pickedUp = story.indexOf('carrier carrier_event Carrier: PICKED_UP')
    const refused = story.indexOf('customer cancellation_refused Cancellation refused: already shipped')
    expect(pickedUp).toBeGreaterThan(-1)
    expect(refused).toBeGreaterThan(pickedUp)
    expect(story.some((line) => /label_cancelled|payment_voided|stock_released|order_cancelled/.test(line))).toBe(false)

    const parcel = await services.db
      .selectFrom('simulated_parcels')
      .select('cancelled_at')
      .where('tracking_number', '=', labelled.shipment!.trackingNumber)
      .executeTakeFirstOrThrow()
    expect(parcel.cancelled_at).toBeNull()
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'captured' }])
    await expect
      .poll(() => notificationsOf(services.db, orderId), { timeout: 20_000 })
      .toEqual(['placed', 'confirmed', 'shipped'])
  })
})

describe('a carrier event that arrives while the order is being cancelled', () => {
  it('is still noted in the timeline, and changes nothing', async () => {
    // A carrier that takes its time to cancel a label, so the event lands during the compensation.
    const carrier = createSimulatedCarrier({ db: services.db })
    await worker.stop()
    worker = await services.startWorker({
      carrier: {
        ...carrier,
        async cancelLabel(request) {
          await new Promise((resolve) => setTimeout(resolve, 3_000))
          await carrier.cancelLabel(request)
        },
      },
    })
    const owner = { type: 'customer' as const, id: 'cust_late_event' }
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId: owner.id,
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')

    const cancelled = handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: owner, note: null }] })
    // An order in one parcel follows it itself: the order cancels its label.
    await expect
      .poll(async () => (await handle.describe()).raw.pendingActivities?.map((activity) => activity.activityType?.name), {
        timeout: 20_000,
      })
      .toEqual(['cancelShipment'])
    await handle.signal(carrierEventSignal, { ...carrierEvent(labelled, 'IN_TRANSIT'), location: 'Leeds hub' })

    expect(await cancelled).toMatchObject({ status: 'CANCELLED' })
    const order = await handle.result()
    expect(order).toMatchObject({ status: 'CANCELLED', fulfillmentStatus: 'LABEL_CANCELLED' })
    expect(order.timeline.at(-1)).toMatchObject({
      type: 'carrier_event',
      actor: { type: 'carrier' },
      message: 'IN_TRANSIT arrived after the order was cancelled; nothing changes',
      data: { location: 'Leeds hub' },
    })
    await keepHistory(handle, 'card-order-in-one-parcel-cancelled-its-label-cancelled-by-the-order-a-late-event-noted')
  })
})

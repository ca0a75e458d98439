/**
 * One parcel of an order, as a child workflow of the order
 * (`shipment-<orderId>-<n>`): it buys the parcel's label, follows the
 * carrier's events for it (`parcel-tracker.ts`: repeats dropped, backward
 * steps noted), and reports each to the order, which keeps
 * the money, the stock and the order's status. It ends when the journey
 * does (delivered, returned) or when the order gives the parcel up before
 * hand-over (its label cancelled).
 *
 * The order starts it with ParentClosePolicy REQUEST_CANCEL: an order that
 * ends for any reason, even terminated, asks its parcels to stop, and a
 * parcel the carrier does not have yet cancels its label on the way out.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
} from '@temporalio/workflow'
import type { CarrierEvent, OrderLineRequest, ShippingAddress } from '../../domain/order-types.js'
import { type ParcelReport, cancelParcelSignal, parcelCarrierEventSignal, parcelReportSignal } from './messages.js'
import { buyLabel, cancelLabel, giveUp } from './parcel-label.js'
import { ParcelTracker } from './parcel-tracker.js'

export interface ShipmentWorkflowInput {
  orderId: string
  /** The order's workflow id, which the parcel reports to. */
  orderWorkflowId: string
  parcel: number
  locationId: string
  lines: OrderLineRequest[]
  address: ShippingAddress
}

/** How the parcel's journey ended. */
export type ShipmentOutcome = 'delivered' | 'returned' | 'cancelled' | 'label_failed'

export async function shipmentWorkflow(input: ShipmentWorkflowInput): Promise<ShipmentOutcome> {
  const order = getExternalWorkflowHandle(input.orderWorkflowId)
  const report = (news: ParcelReport) => order.signal(parcelReportSignal, news)
  const events: CarrierEvent[] = []
  let cancelAsked = false
  setHandler(parcelCarrierEventSignal, (event) => void events.push(event))
  setHandler(cancelParcelSignal, () => void (cancelAsked = true))

  const shipment = await buyLabel(input, report)
  if (!shipment) return 'label_failed'
  const tracker = new ParcelTracker(input.parcel, shipment)
  try {
    while (!tracker.ended()) {
      await condition(() => events.length > 0 || (cancelAsked && !tracker.handedOver()))
      const event = events.shift()
      if (!event) return await giveUp(input, shipment, report)
      await report(tracker.follow(event))
    }
  } catch (error) {
    // The order ended (ParentClosePolicy REQUEST_CANCEL): a label the carrier never got is cancelled.
    if (isCancellation(error) && !tracker.handedOver()) {
      await CancellationScope.nonCancellable(() => cancelLabel(input, shipment))
    }
    throw error
  }
  await condition(allHandlersFinished)
  return tracker.outcome()
}

/**
 * One parcel of an order, as a child workflow of the order
 * (`shipment-<orderId>-<n>`): it buys the parcel's label, follows the
 * carrier's events for it (repeats dropped, backward steps noted, as the
 * order did for its one parcel), and reports each to the order, which keeps
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
import { HANDED_OVER_RANK, JOURNEY_END_RANK, carrierEventEffect } from '../../domain/carrier-progress.js'
import { stepSummaries } from '../../domain/order-summaries.js'
import type { CarrierEvent, OrderLineRequest, ShipmentState, ShippingAddress } from '../../domain/order-types.js'
import { processingFailureOf } from '../processing-failure.js'
import { activities } from '../order/activity-proxies.js'
import { type ParcelReport, cancelParcelSignal, parcelCarrierEventSignal, parcelReportSignal } from './messages.js'

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
  const seen = new Set<string>()
  let lastStatus: string = 'LABEL_CREATED'
  const handedOver = () => shipment.progress >= HANDED_OVER_RANK
  try {
    while (shipment.progress < JOURNEY_END_RANK) {
      await condition(() => events.length > 0 || (cancelAsked && !handedOver()))
      const event = events.shift()
      if (!event) return await giveUp(input, shipment, report)
      const effect = carrierEventEffect(shipment, seen, event)
      const { parcel } = input
      const progress = shipment.progress
      // A repeat, or a repeated scan (the status the parcel already has, again), moves nothing and notes nothing.
      const repeat = effect.kind === 'stale' && event.status === lastStatus && progress < JOURNEY_END_RANK
      if (effect.kind === 'duplicate' || repeat) {
        await report({ parcel, kind: 'carrier_event', event, effect: 'ignored', progress, handedOver: handedOver() })
        continue
      }
      seen.add(event.eventId)
      if (effect.kind === 'advance') {
        shipment.progress = effect.progress
        shipment.lastEventAt = event.occurredAt
        lastStatus = event.status
      }
      const moved = { progress: shipment.progress, handedOver: handedOver() }
      await report({ parcel, kind: 'carrier_event', event, effect: effect.kind, ...moved })
    }
  } catch (error) {
    // The order ended (ParentClosePolicy REQUEST_CANCEL): a label the carrier never got is cancelled.
    if (isCancellation(error) && !handedOver()) await CancellationScope.nonCancellable(() => cancelLabel(input, shipment))
    throw error
  }
  await condition(allHandlersFinished)
  return lastStatus === 'RETURNED_TO_SENDER' ? 'returned' : 'delivered'
}

/** Buys the parcel's label and reports it; a label that cannot be bought for good is reported, and the parcel ends. */
async function buyLabel(input: ShipmentWorkflowInput, report: (news: ParcelReport) => Promise<void>) {
  try {
    const label = await activities.createShipment.executeWithOptions(
      { summary: stepSummaries.createShipment(input.lines, input.address.country) },
      [{ orderId: input.orderId, address: input.address, lines: input.lines, parcel: input.parcel }],
    )
    await report({ parcel: input.parcel, kind: 'label_created', label })
    const shipment: ShipmentState = { ...label, progress: 1, lastEventAt: null }
    return shipment
  } catch (error) {
    const failure = processingFailureOf(error)
    if (!failure) throw error
    await report({ parcel: input.parcel, kind: 'label_failed', message: failure.message, step: failure.step })
    return null
  }
}

/** The order gave the parcel up before hand-over: its label is cancelled, and the order told. */
async function giveUp(
  input: ShipmentWorkflowInput,
  shipment: ShipmentState,
  report: (news: ParcelReport) => Promise<void>,
): Promise<ShipmentOutcome> {
  await cancelLabel(input, shipment)
  await report({ parcel: input.parcel, kind: 'parcel_cancelled', trackingNumber: shipment.trackingNumber })
  return 'cancelled'
}

async function cancelLabel(input: ShipmentWorkflowInput, shipment: ShipmentState): Promise<void> {
  await activities.cancelShipment.executeWithOptions({ summary: stepSummaries.cancelShipment(shipment.trackingNumber) }, [
    { orderId: input.orderId, trackingNumber: shipment.trackingNumber },
  ])
}

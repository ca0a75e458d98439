/**
 * A parcel's label: bought (or its failure reported), and cancelled when the
 * parcel is given up before hand-over. The shipment child workflow does this
 * for its parcel; an order in a single parcel does it itself. `report` is
 * how the news reaches the order: a signal from a child, or the order's own
 * queue.
 */
import { stepSummaries } from '../../domain/order-summaries.js'
import type { OrderLineRequest, ShipmentState, ShippingAddress } from '../../domain/order-types.js'
import { activities } from '../order/activity-proxies.js'
import { processingFailureOf } from '../processing-failure.js'
import type { ParcelReport } from './messages.js'

/** What the label steps need to know of the parcel. */
export interface LabelledParcel {
  orderId: string
  parcel: number
  lines: OrderLineRequest[]
  address: ShippingAddress
}

type Report = (news: ParcelReport) => Promise<void>

/** Buys the parcel's label and reports it; a label that cannot be bought for good is reported, and the parcel ends. */
export async function buyLabel(input: LabelledParcel, report: Report) {
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
export async function giveUp(input: LabelledParcel, shipment: ShipmentState, report: Report): Promise<'cancelled'> {
  await cancelLabel(input, shipment)
  await report({ parcel: input.parcel, kind: 'parcel_cancelled', trackingNumber: shipment.trackingNumber })
  return 'cancelled'
}

export async function cancelLabel(input: LabelledParcel, shipment: ShipmentState): Promise<void> {
  await activities.cancelShipment.executeWithOptions({ summary: stepSummaries.cancelShipment(shipment.trackingNumber) }, [
    { orderId: input.orderId, trackingNumber: shipment.trackingNumber },
  ])
}

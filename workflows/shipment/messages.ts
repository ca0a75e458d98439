/**
 * The messages between an order and the shipment child workflows of its
 * parcels, defined once. Only `@temporalio/workflow` definitions live here.
 *
 * The API relays a carrier's events to the order (it knows orders, not
 * parcels); the order routes each by tracking number to its parcel's child
 * ({@link parcelCarrierEventSignal}), and the child reports what the event
 * did ({@link parcelReportSignal}). Routing through the order lets the order
 * see a pickup the moment it arrives, so an edit racing it is refused.
 */
import { defineSignal } from '@temporalio/workflow'
import type { CarrierEvent } from '../../domain/order-types.js'

/** A label the parcel's child bought. */
export interface ParcelLabel {
  carrier: string
  trackingNumber: string
  labelId: string
}

/** What the parcel's child tells its order. */
export type ParcelReport =
  | { parcel: number; kind: 'label_created'; label: ParcelLabel }
  | { parcel: number; kind: 'label_failed'; message: string; step: string | null }
  /**
   * A carrier event applied (`advance`), noted without moving the parcel (`stale`, `exception`), or changing nothing
   * (`ignored`: a repeat); every event routed is answered, so the order knows when none is still on its way.
   */
  | {
      parcel: number
      kind: 'carrier_event'
      event: CarrierEvent
      effect: 'advance' | 'stale' | 'exception' | 'ignored'
      progress: number
      handedOver: boolean
    }
  /** The parcel will not ship: its label (if any) is cancelled. */
  | { parcel: number; kind: 'parcel_cancelled'; trackingNumber: string | null }

/** The order's carrier event for one parcel; duplicates and late ones are harmless. */
export const parcelCarrierEventSignal = defineSignal<[CarrierEvent]>('parcelCarrierEvent')

/** The order gives the parcel up before hand-over: the child cancels its label and ends. Ignored after hand-over. */
export const cancelParcelSignal = defineSignal('cancelParcel')

/** A parcel's child reports to its order. */
export const parcelReportSignal = defineSignal<[ParcelReport]>('parcelReport')

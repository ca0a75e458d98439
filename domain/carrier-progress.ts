import type { CarrierEvent, ShipmentState } from './order-types.js'
import type { CarrierEventStatus } from './vocabulary.js'

/**
 * How far along its journey each carrier status puts a parcel. `EXCEPTION`
 * has no place on the journey: it flags a problem without moving the parcel.
 */
const journeyRank: Record<CarrierEventStatus, number | null> = {
  LABEL_CREATED: 1,
  PICKED_UP: 2,
  IN_TRANSIT: 3,
  OUT_FOR_DELIVERY: 4,
  DELIVERED: 5,
  RETURNED_TO_SENDER: 5,
  EXCEPTION: null,
}

/** The journey rank at which the carrier has the parcel in hand. */
export const HANDED_OVER_RANK = 2
/** The journey rank at which the journey is over, delivered or returned. */
export const JOURNEY_END_RANK = 5

/** What a carrier event does to an order. */
export type CarrierEventEffect =
  | { kind: 'duplicate' }
  | { kind: 'stale' }
  | { kind: 'exception' }
  | { kind: 'advance'; progress: number; handedOver: boolean; delivered: boolean; returned: boolean }

/**
 * Decides what a carrier event means for a shipment, given the event ids
 * already applied. Duplicates are ignored; an event that would move the parcel
 * backwards (it arrived out of order) is `stale`: recorded, nothing changes.
 *
 * @example
 * ```ts
 * carrierEventEffect(shipmentAtInTransit, seen, { status: 'PICKED_UP', ... }) // { kind: 'stale' }
 * ```
 */
export function carrierEventEffect(
  shipment: ShipmentState,
  seenEventIds: ReadonlySet<string>,
  event: CarrierEvent,
): CarrierEventEffect {
  if (seenEventIds.has(event.eventId)) return { kind: 'duplicate' }
  if (shipment.progress >= JOURNEY_END_RANK) return { kind: 'stale' }
  const rank = journeyRank[event.status]
  if (rank === null) return { kind: 'exception' }
  if (rank <= shipment.progress) return { kind: 'stale' }
  return {
    kind: 'advance',
    progress: rank,
    handedOver: shipment.progress < HANDED_OVER_RANK && rank >= HANDED_OVER_RANK,
    delivered: event.status === 'DELIVERED',
    returned: event.status === 'RETURNED_TO_SENDER',
  }
}

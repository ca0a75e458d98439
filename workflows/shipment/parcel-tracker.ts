/**
 * A parcel's journey, followed from its label: each carrier event turned into
 * the report the order applies (repeats dropped, backward steps noted). Pure
 * and deterministic: the shipment child workflow runs one, and an order in a
 * single parcel runs one itself, so both read the carrier the same way.
 */
import { HANDED_OVER_RANK, JOURNEY_END_RANK, carrierEventEffect } from '../../domain/carrier-progress.js'
import type { CarrierEvent, ShipmentState } from '../../domain/order-types.js'
import type { ParcelReport } from './messages.js'

type CarrierReport = Extract<ParcelReport, { kind: 'carrier_event' }>

/** What a tracker carries into the order's next run (continue-as-new). */
export interface CarriedTracker {
  parcel: number
  shipment: ShipmentState
  seen: string[]
  lastStatus: string
}

export class ParcelTracker {
  private readonly seen: Set<string>
  private lastStatus: string

  constructor(
    readonly parcel: number,
    readonly shipment: ShipmentState,
    carried?: Pick<CarriedTracker, 'seen' | 'lastStatus'>,
  ) {
    this.seen = new Set(carried?.seen)
    this.lastStatus = carried?.lastStatus ?? 'LABEL_CREATED'
  }

  static carriedOver(carried: CarriedTracker): ParcelTracker {
    return new ParcelTracker(carried.parcel, { ...carried.shipment }, carried)
  }

  /** Whether the carrier has the parcel. */
  handedOver(): boolean {
    return this.shipment.progress >= HANDED_OVER_RANK
  }

  /** Whether the journey is over (delivered or returned). */
  ended(): boolean {
    return this.shipment.progress >= JOURNEY_END_RANK
  }

  /** How the journey ended, once it has. */
  outcome(): 'delivered' | 'returned' {
    return this.lastStatus === 'RETURNED_TO_SENDER' ? 'returned' : 'delivered'
  }

  /**
   * Applies one carrier event and says what it did. A repeat, or a repeated scan (the status the parcel already has,
   * again, before the journey's end), moves nothing and notes nothing: `ignored`.
   */
  follow(event: CarrierEvent): CarrierReport {
    const { parcel, shipment } = this
    const effect = carrierEventEffect(shipment, this.seen, event)
    const progress = shipment.progress
    const repeat = effect.kind === 'stale' && event.status === this.lastStatus && progress < JOURNEY_END_RANK
    if (effect.kind === 'duplicate' || repeat) {
      return { parcel, kind: 'carrier_event', event, effect: 'ignored', progress, handedOver: this.handedOver() }
    }
    this.seen.add(event.eventId)
    if (effect.kind === 'advance') {
      shipment.progress = effect.progress
      shipment.lastEventAt = event.occurredAt
      this.lastStatus = event.status
    }
    return {
      parcel,
      kind: 'carrier_event',
      event,
      effect: effect.kind,
      progress: shipment.progress,
      handedOver: this.handedOver(),
    }
  }

  carried(): CarriedTracker {
    return { parcel: this.parcel, shipment: { ...this.shipment }, seen: [...this.seen], lastStatus: this.lastStatus }
  }
}

/**
 * What has reached the order and not yet been acted on: carrier events,
 * payment wake-ups, a cancellation asked for, an admin's confirmation of cash
 * on delivery. The message handlers fill it; the story's steps read it.
 */
import type { CancellationRefusal } from '../../domain/order-rules.js'
import type { Actor, CarrierEvent } from '../../domain/order-types.js'
import type { CancelOrderRequest } from '../messages.js'
import type { OrderEditRefusal, OrderEditRequest } from '../../domain/fulfilment.js'

/** An edit waiting for the story, and, once applied or refused, its answer. */
export interface QueuedEdit {
  request: OrderEditRequest
  done: boolean
  refusal: { reason: OrderEditRefusal; detail: string | null } | null
}

/** What the inbox carries into the next run when the workflow continues as new. */
export interface CarriedInbox {
  carrierEvents: CarrierEvent[]
  seenCarrierEvents: string[]
  seenPaymentEvents: string[]
  unreadPaymentEvents: number
  cancelRequest: CancelOrderRequest | null
  cancelRefused: CancellationRefusal | null
  codConfirmedBy: Actor | null
}

export class OrderInbox {
  /** Carrier events in arrival order, not yet followed. */
  readonly carrierEvents: CarrierEvent[] = []
  /** Carrier events already applied or noted, by id: a repeated event changes nothing. */
  readonly seenCarrierEvents = new Set<string>()
  private readonly seenPaymentEvents = new Set<string>()
  /** Payment events that arrived since the workflow last asked the provider where the payment stands. */
  unreadPaymentEvents = 0
  /** A cancellation asked for (by a customer, an admin or an operator) and not yet acted on. */
  cancelRequest: CancelOrderRequest | null = null
  /** Set once a cancellation the order accepted could not be honoured: the carrier had the parcel by then. */
  cancelRefused: CancellationRefusal | null = null
  /** The request whose parcels were cancelled (an order in parcels, after its first hand-over): its answer. */
  parcelsCancelledFor: CancelOrderRequest | null = null
  /** Edits asked for and not yet applied or refused, oldest first (an order in parcels). */
  readonly edits: QueuedEdit[] = []
  /** Edits made so far: the next one is revision `editsMade + 1` of the reservation. */
  editsMade = 0
  /** The admin who confirmed a cash-on-delivery order. */
  codConfirmedBy: Actor | null = null

  constructor(carried?: CarriedInbox) {
    if (!carried) return
    this.carrierEvents.push(...carried.carrierEvents)
    for (const id of carried.seenCarrierEvents) this.seenCarrierEvents.add(id)
    for (const id of carried.seenPaymentEvents) this.seenPaymentEvents.add(id)
    this.unreadPaymentEvents = carried.unreadPaymentEvents
    this.cancelRequest = carried.cancelRequest
    this.cancelRefused = carried.cancelRefused
    this.codConfirmedBy = carried.codConfirmedBy
  }

  /** Everything in the inbox, for the next run when the workflow continues as new. */
  carried(): CarriedInbox {
    return {
      carrierEvents: [...this.carrierEvents],
      seenCarrierEvents: [...this.seenCarrierEvents],
      seenPaymentEvents: [...this.seenPaymentEvents],
      unreadPaymentEvents: this.unreadPaymentEvents,
      cancelRequest: this.cancelRequest,
      cancelRefused: this.cancelRefused,
      codConfirmedBy: this.codConfirmedBy,
    }
  }

  /** Counts a payment event once, however often the provider sends it. */
  notePaymentEvent(eventId: string): void {
    if (this.seenPaymentEvents.has(eventId)) return
    this.seenPaymentEvents.add(eventId)
    this.unreadPaymentEvents += 1
  }

  /** Keeps the first cancellation asked for; later ones wait for its answer. */
  askToCancel(request: CancelOrderRequest): void {
    this.cancelRequest ??= request
  }
}

/**
 * The shapes of an order, shared by the workflow, the activities, the API and
 * the CLI. Pure types: nothing here runs, so it is safe in the workflow bundle.
 * The closed sets they use (statuses, methods, reasons) are in vocabulary.ts.
 */
import type {
  ActorType,
  CancellationReason,
  CarrierEventStatus,
  FulfillmentStatus,
  OrderStatus,
  PaymentMethod,
  PaymentProviderName,
  PaymentStatus,
} from './vocabulary.js'

/** An amount of money in integer minor units of an ISO 4217 currency. */
export interface Money {
  amount: number
  currency: string
}

export interface OrderLineRequest {
  sku: string
  quantity: number
}

export interface PricedLine {
  sku: string
  name: string
  quantity: number
  unitPrice: number
  lineTotal: number
}

export interface OrderTotals {
  currency: string
  subtotal: number
  shipping: number
  total: number
}

export interface ShippingAddress {
  name: string
  line1: string
  line2: string | null
  city: string
  region: string | null
  postalCode: string
  country: string
}

/** How the customer pays; a card order names its provider (the sandbox when omitted). */
export type PaymentInstruction =
  { method: 'card'; token: string; provider?: 'sandbox' | 'stripe' } | { method: 'paypal' } | { method: 'cod' }

/**
 * Who did something to an order. An `operator` acted on the order's workflow
 * in Temporal itself (the Web UI's Request Cancellation, `temporal workflow
 * cancel`); its id is the Temporal identity that asked, when known.
 */
export interface Actor {
  type: ActorType
  id: string | null
}

/** One entry of an order's history: who did what, when and why. */
export interface TimelineEntry {
  seq: number
  at: string
  actor: Actor
  type: string
  message: string
  data: Record<string, unknown> | null
}

export interface PaymentState {
  method: PaymentMethod
  provider: string | null
  reference: string | null
  authorized: number
  captured: number
  refunded: number
  declineCode: string | null
  /** When a held authorization must be captured or given up, by the card networks' rules. */
  authorizationExpiresAt?: string | null
  /** Until when an admin may still refund a delivered order; null before delivery and for cash. */
  refundableUntil?: string | null
  /**
   * Authorizations an edit took for what it added to the total (included in `authorized`), captured whole with the
   * final capture; none when no edit raised the total.
   */
  extraAuthorizations?: Array<{ reference: string; amount: number }>
}

export interface ShipmentState {
  carrier: string
  trackingNumber: string
  labelId: string
  /** How far the parcel has got, so a late event never moves it backwards. */
  progress: number
  lastEventAt: string | null
}

export interface Cancellation {
  reason: CancellationReason
  by: Actor
  note: string | null
  at: string
}

/** A carrier's tracking event, as relayed by the API to the order's workflow. */
export interface CarrierEvent {
  eventId: string
  trackingNumber: string
  status: CarrierEventStatus
  occurredAt: string
  location: string | null
  /** Cash on delivery: what the carrier collected at the door, in minor units. */
  amountCollected?: number | null | undefined
}

/**
 * Something a payment provider told us about an order's payment, relayed by
 * the API from a verified webhook or the customer's return. Only the event id,
 * its kind and the provider's reference: the workflow reads the truth from
 * the provider itself, so a duplicate, late or out-of-order event is harmless.
 */
export interface PaymentEvent {
  eventId: string
  provider: PaymentProviderName
  /** The provider's event type, such as `payment_intent.amount_capturable_updated`. */
  type: string
  reference: string
}

/** What the API hands the workflow when an order is placed. */
export interface PlaceOrderInput {
  orderId: string
  customerId: string
  lines: OrderLineRequest[]
  currency: string
  shippingAddress: ShippingAddress
  payment: PaymentInstruction
  /** The totals the customer was shown; the order is never charged anything else. */
  quote: { lines: PricedLine[]; totals: OrderTotals }
  placedAt: string
  codConfirmationTimeoutMs: number
  /** How long the customer has to complete a 3-D Secure check or a PayPal approval; 1 h when omitted. */
  paymentActionTimeoutMs?: number
  /** How long a card authorization may be held before it must be captured or given up; 6 days when omitted. */
  authorizationValidityMs?: number
  /**
   * How long after delivery an admin may still refund part or all of a card or
   * PayPal payment; the workflow stays open that long, then closes. No window
   * when omitted (as for orders placed before refunds existed).
   */
  refundWindowMs?: number
}

/** Where one parcel stands, as the order's `shipments` list shows it. */
export type ParcelStatus = 'PLANNED' | 'LABEL_CREATED' | CarrierEventStatus | 'LABEL_CANCELLED' | 'CANCELLED'

/** One parcel of an order, as the order view's `shipments` shows it. */
export interface ParcelView {
  /** `shipment-<orderId>-<parcel>`: the child workflow's id. */
  id: string
  parcel: number
  locationId: string
  lines: OrderLineRequest[]
  carrier: string | null
  trackingNumber: string | null
  status: ParcelStatus
  events: CarrierEvent[]
}

/** The full live state of an order: what the `status` query returns. */
export interface OrderState {
  orderId: string
  customerId: string
  status: OrderStatus
  paymentStatus: PaymentStatus
  fulfillmentStatus: FulfillmentStatus
  paymentMethod: PaymentMethod
  lines: PricedLine[]
  totals: OrderTotals
  shippingAddress: ShippingAddress
  payment: PaymentState
  /** The first parcel, for clients of the one-parcel contract; an order placed on the parcels code also has `shipments`. */
  shipment: ShipmentState | null
  /**
   * Every parcel of the order, one shipment child workflow each, in plan order. Absent on orders placed before
   * split shipments (their one parcel is `shipment`).
   */
  shipments?: ParcelView[]
  cancellation: Cancellation | null
  codConfirmationDeadline: string | null
  timeline: TimelineEntry[]
  createdAt: string
  updatedAt: string
  /** Grows with every change; the read model ignores writes older than what it has. */
  version: number
}

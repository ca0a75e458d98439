/**
 * Where an order's items ship from, in how many parcels, and how an order is
 * edited before the carrier has it. Shared by the inventory activities (which
 * make the plan), the order workflow (one shipment child workflow per parcel),
 * the read model and the API.
 */
import type { Actor, OrderLineRequest, ShippingAddress } from './order-types.js'

/** Stock that existed before locations did belongs here. */
export const DEFAULT_STOCK_LOCATION = 'default'

/** One parcel of an order's fulfilment plan: the lines one stock location ships. */
export interface FulfilmentParcel {
  /** 1-based, in plan order; the shipment child workflow is `shipment-<orderId>-<parcel>`. */
  parcel: number
  locationId: string
  lines: OrderLineRequest[]
}

// `ParcelStatus` and `ParcelView` live beside `OrderState`, whose `shipments` they describe (one definition, no import cycle).
export type { ParcelStatus, ParcelView } from './order-types.js'

/** The id of the child workflow that ships one parcel of an order. */
export function shipmentWorkflowId(orderId: string, parcel: number): string {
  return `shipment-${orderId}-${parcel}`
}

/** An edit of an order before hand-over: the new full set of lines and, optionally, a new address. */
export interface OrderEditRequest {
  /** The client's Idempotency-Key, scoped by the API: the same edit sent twice is applied once. */
  editId: string
  lines: OrderLineRequest[]
  shippingAddress?: ShippingAddress | undefined
  by: Actor
}

/** Why an edit was refused (409 with this reason); nothing changed. */
export const orderEditRefusals = [
  'already_shipped',
  'order_closed',
  'unknown_product',
  'not_sold_in_currency',
  'nothing_changed',
  'out_of_stock',
  'payment_declined',
] as const
export type OrderEditRefusal = (typeof orderEditRefusals)[number]

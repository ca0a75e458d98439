/**
 * One run of an order's workflow: its input, its record, what has reached it,
 * the refunds asked for and its undo list. Every step takes it.
 */
import type { PlaceOrderInput } from '../../domain/order-types.js'
import type { Compensation } from './compensation.js'
import type { OrderCode } from './order-code.js'
import type { OrderInbox } from './order-inbox.js'
import type { OrderRecord } from './order-record.js'
import type { ParcelFleet } from './parcel-fleet.js'
import type { RefundQueue } from './refunds.js'

export interface OrderRun {
  readonly input: PlaceOrderInput
  /** Which versioned changes this order runs with. */
  readonly code: OrderCode
  readonly order: OrderRecord
  readonly inbox: OrderInbox
  readonly refunds: RefundQueue
  readonly undo: Compensation
  /** The order's parcels (an order placed on the `parcels` code; null before it). */
  parcels: ParcelFleet | null
}

import type { Kysely } from 'kysely'
import type { OrderState, TimelineEntry } from '../domain/order-types.js'
import type { Database } from './schema.js'
import { storable } from './storable-text.js'

/** An order as the read model stores it: the workflow's state without the timeline. */
export type OrderSnapshot = Omit<OrderState, 'timeline'>

/**
 * Writes an order's current state and its new timeline entries. A write
 * carrying an older version than the row's is ignored, so a late retry never
 * overwrites newer state; timeline entries are keyed by sequence and written once.
 * Text Postgres cannot hold (NUL, lone surrogates) is stored as U+FFFD (see
 * `storable`), so no text that reached the order can stop its read model.
 */
export async function saveOrderSnapshot(
  db: Kysely<Database>,
  snapshot: OrderSnapshot,
  timelineEntries: readonly TimelineEntry[],
): Promise<void> {
  await db.transaction().execute((trx) => writeOrderSnapshot(trx, snapshot, timelineEntries))
}

/**
 * The statements of {@link saveOrderSnapshot}, in a transaction the caller
 * holds (so a notice to the customer can be queued in the same one).
 */
export async function writeOrderSnapshot(
  trx: Kysely<Database>,
  snapshot: OrderSnapshot,
  timelineEntries: readonly TimelineEntry[],
): Promise<void> {
  const order = storable(snapshot)
  const newTimelineEntries = storable(timelineEntries)
  const row = {
    id: order.orderId,
    customer_id: order.customerId,
    status: order.status,
    payment_status: order.paymentStatus,
    fulfillment_status: order.fulfillmentStatus,
    payment_method: order.paymentMethod,
    currency: order.totals.currency,
    subtotal: order.totals.subtotal,
    shipping: order.totals.shipping,
    total: order.totals.total,
    lines: JSON.stringify(order.lines),
    shipping_address: JSON.stringify(order.shippingAddress),
    payment: JSON.stringify(order.payment),
    shipment: order.shipment ? JSON.stringify(order.shipment) : null,
    cancellation: order.cancellation ? JSON.stringify(order.cancellation) : null,
    cod_confirmation_deadline: order.codConfirmationDeadline,
    version: order.version,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  }
  const { id: _id, created_at: _createdAt, customer_id: _customerId, ...changes } = row
  await trx
    .insertInto('orders')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(changes).where('orders.version', '<', order.version))
    .execute()
  if (newTimelineEntries.length > 0) {
    await trx
      .insertInto('order_timeline')
      .values(
        newTimelineEntries.map((entry) => ({
          order_id: order.orderId,
          seq: entry.seq,
          occurred_at: entry.at,
          actor_type: entry.actor.type,
          actor_id: entry.actor.id,
          type: entry.type,
          message: entry.message,
          data: entry.data ? JSON.stringify(entry.data) : null,
        })),
      )
      .onConflict((oc) => oc.columns(['order_id', 'seq']).doNothing())
      .execute()
  }
}

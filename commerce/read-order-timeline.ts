import type { Kysely, Selectable } from 'kysely'
import type { Database, OrderTimelineTable } from '../../db/schema.js'
import type { Principal } from '../auth.js'
import type { OrderTimelineEntry } from '../schemas.js'
import { canSeeOrder, orderNotFound } from './order-access.js'
import { findOrderRow } from './order-queries.js'

/**
 * The timeline details clients may see. Anything else the workflow records
 * (payment provider references, carrier event ids) stays internal: a new
 * detail is hidden until it is added here.
 */
const customerSafeDetails = new Set([
  'total',
  'currency',
  'amount',
  'deadline',
  'carrier',
  'trackingNumber',
  'status',
  'occurredAt',
  'location',
  'reason',
])

type DetailValue = OrderTimelineEntry['details'][string]

function isDetailValue(value: unknown): value is DetailValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
}

/**
 * One timeline row in customer-safe form: the actor's type always, the
 * actor's id only for customer and admin actors and only when an admin asks.
 */
export function timelineEntryView(row: Selectable<OrderTimelineTable>, viewer: Principal): OrderTimelineEntry {
  const actorType = row.actor_type as OrderTimelineEntry['actor']['type']
  const showActorId = viewer.role === 'admin' && (actorType === 'customer' || actorType === 'admin')
  const details: Record<string, DetailValue> = {}
  for (const [key, value] of Object.entries(row.data ?? {})) {
    if (customerSafeDetails.has(key) && isDetailValue(value)) details[key] = value
  }
  return {
    seq: row.seq,
    at: row.occurred_at.toISOString(),
    actor: { type: actorType, id: showActorId ? row.actor_id : null },
    type: row.type,
    message: row.message,
    details,
  }
}

/** An order's history, oldest first, for its owner or an admin; anyone else gets 404. */
export async function readOrderTimeline(
  db: Kysely<Database>,
  principal: Principal,
  orderId: string,
): Promise<OrderTimelineEntry[]> {
  const order = await findOrderRow(db, orderId)
  if (!order || !canSeeOrder(principal, order.customer_id)) throw orderNotFound(orderId)
  const rows = await db.selectFrom('order_timeline').selectAll().where('order_id', '=', orderId).orderBy('seq').execute()
  return rows.map((row) => timelineEntryView(row, principal))
}

import type { Kysely } from '../db/connection.js'
import { type OrderTimelineRow, listOrderTimeline, listStaffTimelineEntries } from '../db/order-queries.js'
import type { Database } from '../db/schema.js'
import type { OrderTimelineEntry } from '../api/schemas/orders.js'
import type { Caller } from './caller.js'
import { findVisibleOrder } from './read-order.js'

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
  // After delivery: which return an entry is about.
  'returnId',
  // Staff-only entries (admins alone see them): a notification that keeps failing.
  'channel',
  'notificationKind',
  'attempts',
])

type DetailValue = OrderTimelineEntry['details'][string]

function isDetailValue(value: unknown): value is DetailValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
}

/**
 * One timeline row in customer-safe form: the actor's type always, the
 * actor's id only for customer and admin actors and only when an admin asks.
 */
export function timelineEntryView(row: OrderTimelineRow, viewer: Caller): OrderTimelineEntry {
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

/**
 * An order's history, oldest first, for its owner or an admin; admins also
 * see the staff-only entries (negative `seq`), at their time.
 *
 * @throws OrderNotFound for anyone else.
 */
export async function readOrderTimeline(db: Kysely<Database>, caller: Caller, orderId: string): Promise<OrderTimelineEntry[]> {
  await findVisibleOrder(db, caller, orderId)
  const rows = await listOrderTimeline(db, orderId)
  if (caller.role !== 'admin') return rows.map((row) => timelineEntryView(row, caller))
  const staffOnly = await listStaffTimelineEntries(db, orderId)
  return mergedByTime(rows, staffOnly).map((row) => timelineEntryView(row, caller))
}

/** The order's entries with the staff-only ones put in at their time (after entries of the same instant). */
function mergedByTime(rows: OrderTimelineRow[], staffOnly: OrderTimelineRow[]): OrderTimelineRow[] {
  const merged: OrderTimelineRow[] = []
  let next = 0
  for (const row of rows) {
    while (next < staffOnly.length && staffOnly[next]!.occurred_at < row.occurred_at) merged.push(staffOnly[next++]!)
    merged.push(row)
  }
  return [...merged, ...staffOnly.slice(next)]
}

import type { Kysely, Selectable } from 'kysely'
import type { FulfillmentStatus, OrderStatus, PaymentMethod, PaymentStatus } from '../domain/vocabulary.js'
import type { Database, OrderTimelineTable, OrdersTable } from './schema.js'

/** One order of the read model, as stored. */
export type OrderRow = Selectable<OrdersTable>

/** One entry of an order's timeline, as stored. */
export type OrderTimelineRow = Selectable<OrderTimelineTable>

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for a well-formed order id; anything else cannot be an order. */
export function isOrderId(id: string): boolean {
  return uuidPattern.test(id)
}

/** One order from the read model, by primary key. */
export async function findOrderRow(db: Kysely<Database>, id: string): Promise<OrderRow | null> {
  if (!isOrderId(id)) return null
  return (await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()) ?? null
}

/** What a page of orders may be narrowed to; null means "any". */
export interface OrderListFilters {
  /** Only this customer's orders. Customers are always narrowed to themselves. */
  customerId: string | null
  status: OrderStatus | null
  paymentStatus: PaymentStatus | null
  fulfillmentStatus: FulfillmentStatus | null
  paymentMethod: PaymentMethod | null
  /** Placed at or after this instant. */
  createdFrom: Date | null
  /** Placed before this instant. */
  createdTo: Date | null
}

export interface OrderPageOptions extends OrderListFilters {
  limit: number
  cursor: OrderCursor | null
}

export interface OrderCursor {
  createdAt: string
  id: string
}

/** Encodes the position after `row` as an opaque cursor. */
export function encodeCursor(row: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ createdAt: row.created_at.toISOString(), id: row.id })).toString('base64url')
}

/** Decodes a cursor made by {@link encodeCursor}; null when it is not one. */
export function decodeCursor(cursor: string): OrderCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (typeof value !== 'object' || value === null) return null
    const { createdAt, id } = value as Record<string, unknown>
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string' || !isOrderId(id))
      return null
    return { createdAt, id }
  } catch {
    return null
  }
}

/**
 * The query behind a page of orders: equality filters, a created-at range,
 * and the keyset `(created_at, id) < cursor`, newest first. Each equality
 * filter leads a composite index ending in (created_at desc, id desc)
 * (migration 002), so Postgres walks one index range and stops after the page.
 * Exported so a test can EXPLAIN exactly what the API runs.
 */
export function orderPageQuery(db: Kysely<Database>, options: OrderPageOptions) {
  let query = db.selectFrom('orders').selectAll()
  if (options.customerId !== null) query = query.where('customer_id', '=', options.customerId)
  if (options.status !== null) query = query.where('status', '=', options.status)
  if (options.paymentStatus !== null) query = query.where('payment_status', '=', options.paymentStatus)
  if (options.fulfillmentStatus !== null) query = query.where('fulfillment_status', '=', options.fulfillmentStatus)
  if (options.paymentMethod !== null) query = query.where('payment_method', '=', options.paymentMethod)
  if (options.createdFrom !== null) query = query.where('created_at', '>=', options.createdFrom)
  if (options.createdTo !== null) query = query.where('created_at', '<', options.createdTo)
  if (options.cursor) {
    const position = options.cursor
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(new Date(position.createdAt), position.id)))
  }
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
}

/**
 * A page of orders, newest first, by keyset on (created_at, id): one index
 * range scan however deep the page. Filters are not in the cursor: send the
 * same filters with every page.
 */
export async function listOrderRows(db: Kysely<Database>, options: OrderPageOptions) {
  const rows = await orderPageQuery(db, options).execute()
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return { rows: page, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null }
}

/** The order a tracking number belongs to, from the shipments the worker recorded. */
export async function findOrderIdByTrackingNumber(db: Kysely<Database>, trackingNumber: string): Promise<string | null> {
  const row = await db.selectFrom('shipments').select('order_id').where('tracking_number', '=', trackingNumber).executeTakeFirst()
  return row?.order_id ?? null
}

/** An order's timeline, oldest first. */
export async function listOrderTimeline(db: Kysely<Database>, orderId: string): Promise<OrderTimelineRow[]> {
  return db.selectFrom('order_timeline').selectAll().where('order_id', '=', orderId).where('seq', '>', 0).orderBy('seq').execute()
}

/**
 * The order's staff-only timeline entries (a notification that keeps failing),
 * oldest first: negative `seq` numbers (migration 007), never the workflow's.
 */
export async function listStaffTimelineEntries(db: Kysely<Database>, orderId: string): Promise<OrderTimelineRow[]> {
  return db
    .selectFrom('order_timeline')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('seq', '<', 0)
    .orderBy('occurred_at')
    .orderBy('seq', 'desc')
    .execute()
}

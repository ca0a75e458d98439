import type { Kysely, Selectable } from 'kysely'
import type { Database, OrdersTable } from '../../db/schema.js'

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for a well-formed order id; anything else cannot be an order. */
export function isOrderId(id: string): boolean {
  return uuidPattern.test(id)
}

/** One order from the read model, by primary key. */
export async function findOrderRow(db: Kysely<Database>, id: string): Promise<Selectable<OrdersTable> | null> {
  if (!isOrderId(id)) return null
  return (await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()) ?? null
}

export interface OrderPageOptions {
  /** Only this customer's orders; every order when null (admins). */
  customerId: string | null
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
 * A page of orders, newest first, by keyset on (created_at, id): one index
 * range scan however deep the page.
 */
export async function listOrderRows(db: Kysely<Database>, options: OrderPageOptions) {
  let query = db.selectFrom('orders').selectAll()
  if (options.customerId !== null) query = query.where('customer_id', '=', options.customerId)
  if (options.cursor) {
    const { id } = options.cursor
    const createdAt = new Date(options.cursor.createdAt)
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
    )
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute()
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return { rows: page, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null }
}

/** The order a tracking number belongs to, from the shipments the worker recorded. */
export async function findOrderIdByTrackingNumber(db: Kysely<Database>, trackingNumber: string): Promise<string | null> {
  const row = await db.selectFrom('shipments').select('order_id').where('tracking_number', '=', trackingNumber).executeTakeFirst()
  return row?.order_id ?? null
}

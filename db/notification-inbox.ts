/**
 * The customer's inbox: the outbox rows written for them, newest first, with
 * what their messages need from the order's row, and the mark that one was read.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

export interface InboxOptions {
  customerId: string
  unreadOnly: boolean
  limit: number
  /** The id of the last row of the previous page: this page holds older ones. */
  before: number | null
}

const inboxColumns = [
  'n.id',
  'n.order_id',
  'n.customer_id',
  'n.kind',
  'n.occurrence',
  'n.payload',
  'n.created_at',
  'n.read_at',
  'o.currency',
  'o.total',
  'o.payment_method',
  'o.payment',
  'o.shipment',
  'o.cancellation',
  'o.contact_language',
] as const

function inboxQuery(db: Kysely<Database>) {
  return db.selectFrom('notification_outbox as n').leftJoin('orders as o', 'o.id', 'n.order_id').select(inboxColumns)
}

export type InboxRow = Awaited<ReturnType<ReturnType<typeof inboxQuery>['executeTakeFirstOrThrow']>>

/**
 * A page of a customer's notifications, newest first (by id: rows are
 * numbered as they are written), over the `(customer_id, id desc)` index.
 * Returns one row more than `limit` when there is a next page.
 */
export async function listInboxRows(db: Kysely<Database>, options: InboxOptions): Promise<InboxRow[]> {
  let query = inboxQuery(db).where('n.customer_id', '=', options.customerId)
  if (options.unreadOnly) query = query.where('n.read_at', 'is', null)
  if (options.before !== null) query = query.where('n.id', '<', options.before)
  return query
    .orderBy('n.id', 'desc')
    .limit(options.limit + 1)
    .execute()
}

/** One notification, by id. */
export async function findInboxRow(db: Kysely<Database>, id: number): Promise<InboxRow | undefined> {
  return inboxQuery(db).where('n.id', '=', id).executeTakeFirst()
}

/** Marks a customer's notification read (the first time only); false when it is not theirs or does not exist. */
export async function markInboxRowRead(db: Kysely<Database>, customerId: string, id: number): Promise<boolean> {
  const row = await db
    .updateTable('notification_outbox')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('customer_id', '=', customerId)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

import { type Kysely, type QueryCreator, sql } from 'kysely'
import type { OrderState, TimelineEntry } from '../domain/order-types.js'
import { type IdempotencyKeyId, storeIdempotencyKeyAnswerQuery } from './idempotency-keys.js'
import { type OrderContact, orderContactColumns } from './order-contacts.js'
import type { OrderRow } from './order-queries.js'
import type { Database } from './schema.js'
import { storable } from './storable-text.js'

/** An order as the read model stores it: the workflow's state without the timeline. */
export type OrderSnapshot = Omit<OrderState, 'timeline'>

/** The `orders` row of a snapshot, with text Postgres cannot hold made storable. */
function orderRowOf(snapshot: OrderSnapshot) {
  const order = storable(snapshot)
  return {
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
    // None on orders from before parcels existed: their view reads `shipment`.
    shipments: JSON.stringify(order.shipments ?? []),
    cancellation: order.cancellation ? JSON.stringify(order.cancellation) : null,
    cod_confirmation_deadline: order.codConfirmationDeadline,
    version: order.version,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  }
}

/**
 * Which write wins over a row of the same version: `older` (the worker's
 * writes) replaces only older rows, so a late retry never overwrites newer
 * state; `same-or-older` (the state an update answered, which may carry
 * changes made since that version was saved) replaces a row of its own
 * version too, never a newer one.
 */
type Replaces = 'older' | 'same-or-older'

/** The `order_timeline` rows of an order's entries, with text Postgres cannot hold made storable. */
function timelineRowsOf(orderId: string, timelineEntries: readonly TimelineEntry[]) {
  return storable(timelineEntries).map((entry) => ({
    order_id: orderId,
    seq: entry.seq,
    occurred_at: entry.at,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    type: entry.type,
    message: entry.message,
    data: entry.data ? JSON.stringify(entry.data) : null,
  }))
}

/**
 * `qc` with the insert of an order's new timeline entries as a CTE (entries
 * are keyed by sequence and written once): the statement built on it writes
 * the order's row and its entries at once, in one round trip, atomically.
 * The CTE's name is never read, so it is widened away: one query shape
 * whether there are entries or not.
 */
function withTimelineEntries(qc: QueryCreator<Database>, orderId: string, timelineEntries: readonly TimelineEntry[]) {
  if (timelineEntries.length === 0) return qc
  return qc.with('new_timeline_entries', (db) =>
    db
      .insertInto('order_timeline')
      .values(timelineRowsOf(orderId, timelineEntries))
      .onConflict((oc) => oc.columns(['order_id', 'seq']).doNothing())
      .returning('seq'),
  ) as unknown as QueryCreator<Database>
}

/** The insert of an order's row, or the update of an older one (see {@link Replaces}). */
function orderUpsert(qc: QueryCreator<Database>, snapshot: OrderSnapshot, replaces: Replaces) {
  const row = orderRowOf(snapshot)
  const { id: _id, created_at: _createdAt, customer_id: _customerId, ...changes } = row
  return qc
    .insertInto('orders')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet(changes)
        .where('orders.version', replaces === 'older' ? '<' : '<=', row.version),
    )
}

/**
 * Writes an order's current state and its new timeline entries, in one
 * statement. A write carrying an older version than the row's is ignored, so
 * a late retry never overwrites newer state; timeline entries are keyed by
 * sequence and written once. Text Postgres cannot hold (NUL, lone
 * surrogates) is stored as U+FFFD (see `storable`), so no text that reached
 * the order can stop its read model. `db` may be a transaction the caller holds
 * (bookkeeping queues the customer's notice in the same one).
 */
export async function saveOrderSnapshot(
  db: Kysely<Database>,
  snapshot: OrderSnapshot,
  timelineEntries: readonly TimelineEntry[],
): Promise<void> {
  await orderUpsert(withTimelineEntries(db, snapshot.orderId, timelineEntries), snapshot, 'older').execute()
}

/**
 * Appends entries to an order's timeline without touching its row: the
 * after-sales workflow's, numbered after the order's own. Each entry is
 * keyed by its sequence and written once. `db` may be a transaction.
 */
export async function appendOrderTimeline(
  db: Kysely<Database>,
  orderId: string,
  timelineEntries: readonly TimelineEntry[],
): Promise<void> {
  if (timelineEntries.length === 0) return
  await db
    .insertInto('order_timeline')
    .values(timelineRowsOf(orderId, timelineEntries))
    .onConflict((oc) => oc.columns(['order_id', 'seq']).doNothing())
    .execute()
}

/**
 * Writes the order an update just answered (the workflow's state, with its
 * timeline) before the API passes that answer on, and returns the row that
 * now stands: this state, or a newer one the worker already wrote. One
 * statement. Whoever reads the order afterwards gets this version or a newer
 * one, never an older one than the caller was answered.
 */
export async function saveAnsweredOrder(db: Kysely<Database>, state: OrderState): Promise<OrderRow> {
  const { timeline, ...snapshot } = state
  const row = await withTimelineEntries(db, state.orderId, timeline)
    .with('written', (qc) => orderUpsert(qc, snapshot, 'same-or-older').returningAll())
    .selectFrom('written')
    .selectAll()
    .unionAll((eb) =>
      eb
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', state.orderId)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('written').select(sql.lit(1).as('one'))))),
    )
    .executeTakeFirst()
  if (!row) throw new Error(`order ${state.orderId} has no row after its write`)
  return row as OrderRow
}

/**
 * Writes a just-placed order's first row with where its mails go, and stores
 * the placement's answer under its Idempotency-Key (ending the key's claim),
 * in one statement: the answer is never stored without the row, and a retry
 * that finds the key answered finds the order too. When the worker wrote the
 * row first, its newer state stands and only the contact is added (the
 * workflow's own writes leave the contact alone).
 */
export async function savePlacedOrder(
  db: Kysely<Database>,
  snapshot: OrderSnapshot,
  contact: OrderContact,
  key: IdempotencyKeyId,
  answer: { status: number; body: Record<string, unknown> },
): Promise<void> {
  const row = orderRowOf(snapshot)
  const contactRow = orderContactColumns(contact)
  const { id: _id, created_at: _createdAt, customer_id: _customerId, ...changes } = row
  // The CTE's name is never read: the insert sees the database as it was.
  const withAnswer = db.with('answered_key', () =>
    storeIdempotencyKeyAnswerQuery(db, key, answer).returning('key'),
  ) as unknown as QueryCreator<Database>
  const olderRow = sql<boolean>`(orders.version < excluded.version)`
  await withAnswer
    .insertInto('orders')
    .values({ ...row, ...contactRow })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet(() => ({
          ...Object.fromEntries(
            Object.keys(changes).map((column) => [
              column,
              sql`case when ${olderRow} then ${sql.ref(`excluded.${column}`)} else ${sql.ref(`orders.${column}`)} end`,
            ]),
          ),
          contact_email: sql<string | null>`coalesce(excluded.contact_email, orders.contact_email)`,
          contact_language: sql<string | null>`coalesce(excluded.contact_language, orders.contact_language)`,
        }))
        .where((eb) =>
          eb.or([olderRow, eb('excluded.contact_email', 'is not', null), eb('excluded.contact_language', 'is not', null)]),
        ),
    )
    .execute()
}

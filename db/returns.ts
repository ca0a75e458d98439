/**
 * The returns read model: the returns an order's after-sales workflow keeps,
 * the cash-on-delivery refunds owed, and the after-sales entries of the
 * order's timeline. Written by the after-sales bookkeeping activity, read by
 * the API, the CLI and the carrier webhook.
 */
import { type Kysely, type Selectable, sql } from 'kysely'
import type { TimelineEntry } from '../domain/order-types.js'
import type { ReturnReason, ReturnStatus } from '../domain/returns.js'
import type { CodRefundsOwedTable, Database, ReturnsTable } from './schema.js'
import { storable } from './storable-text.js'

export type ReturnRow = Selectable<ReturnsTable>
export type CodRefundOwedRow = Selectable<CodRefundsOwedTable>

/**
 * The after-sales workflow's timeline entries are numbered from 1 in that
 * workflow; in the order's timeline they follow every entry of the order's
 * own workflow (positive, below this) and never meet the staff-only ones
 * (negative): entry n is `AFTER_SALES_SEQ_BASE + n`.
 */
export const AFTER_SALES_SEQ_BASE = 1_000_000_000

/** One return as the read model stores it. */
export interface ReturnRecord {
  id: string
  orderId: string
  customerId: string
  status: ReturnStatus
  reason: ReturnReason
  lines: Record<string, unknown>[]
  exchange: Record<string, unknown> | null
  label: { carrier: string; trackingNumber: string } | null
  currency: string
  refundAmount: number | null
  itemsWrittenOff: number
  shipBy: string | null
  note: string | null
  requestedAt: string
  approvedAt: string | null
  rejectedAt: string | null
  receivedAt: string | null
  refundedAt: string | null
  closedAt: string | null
  updatedAt: string
  version: number
}

/** A refund owed to a cash-on-delivery customer, as the after-sales workflow recorded it. */
export interface CodRefundOwedRecord {
  id: string
  orderId: string
  returnId: string | null
  currency: string
  amount: number
  reason: string
  owedSince: string
}

function returnRowOf(record: ReturnRecord) {
  const r = storable(record)
  return {
    id: r.id,
    order_id: r.orderId,
    customer_id: r.customerId,
    status: r.status,
    reason: r.reason,
    lines: JSON.stringify(r.lines),
    exchange: r.exchange ? JSON.stringify(r.exchange) : null,
    label_carrier: r.label?.carrier ?? null,
    label_tracking_number: r.label?.trackingNumber ?? null,
    currency: r.currency,
    refund_amount: r.refundAmount,
    items_written_off: r.itemsWrittenOff,
    ship_by: r.shipBy,
    note: r.note,
    requested_at: r.requestedAt,
    approved_at: r.approvedAt,
    rejected_at: r.rejectedAt,
    received_at: r.receivedAt,
    refunded_at: r.refundedAt,
    closed_at: r.closedAt,
    updated_at: r.updatedAt,
    version: r.version,
  }
}

/**
 * Writes returns as the after-sales workflow has them. A return's row is
 * replaced only by a newer version, so a late retry never overwrites newer
 * state. `db` may be a transaction the caller holds.
 */
export async function saveReturns(db: Kysely<Database>, records: readonly ReturnRecord[]): Promise<void> {
  if (records.length === 0) return
  await db
    .insertInto('returns')
    .values(records.map(returnRowOf))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          lines: eb.ref('excluded.lines'),
          exchange: eb.ref('excluded.exchange'),
          label_carrier: eb.ref('excluded.label_carrier'),
          label_tracking_number: eb.ref('excluded.label_tracking_number'),
          refund_amount: eb.ref('excluded.refund_amount'),
          items_written_off: eb.ref('excluded.items_written_off'),
          ship_by: eb.ref('excluded.ship_by'),
          note: eb.ref('excluded.note'),
          approved_at: eb.ref('excluded.approved_at'),
          rejected_at: eb.ref('excluded.rejected_at'),
          received_at: eb.ref('excluded.received_at'),
          refunded_at: eb.ref('excluded.refunded_at'),
          closed_at: eb.ref('excluded.closed_at'),
          updated_at: eb.ref('excluded.updated_at'),
          version: eb.ref('excluded.version'),
        }))
        .where('returns.version', '<', (eb) => eb.ref('excluded.version')),
    )
    .execute()
}

/** Records refunds owed to a cash-on-delivery customer, once each; a settled one is never reopened. */
export async function recordCodRefundsOwed(db: Kysely<Database>, records: readonly CodRefundOwedRecord[]): Promise<void> {
  if (records.length === 0) return
  await db
    .insertInto('cod_refunds_owed')
    .values(
      storable(records).map((r) => ({
        id: r.id,
        order_id: r.orderId,
        return_id: r.returnId,
        currency: r.currency,
        amount: r.amount,
        reason: r.reason,
        owed_since: r.owedSince,
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

/**
 * Appends after-sales entries to the order's timeline (numbered after the
 * order's own, see {@link AFTER_SALES_SEQ_BASE}); each is written once.
 */
export async function appendAfterSalesTimeline(
  db: Kysely<Database>,
  orderId: string,
  entries: readonly TimelineEntry[],
): Promise<void> {
  if (entries.length === 0) return
  await db
    .insertInto('order_timeline')
    .values(
      storable(entries).map((entry) => ({
        order_id: orderId,
        seq: AFTER_SALES_SEQ_BASE + entry.seq,
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

/** One return, or null. */
export async function findReturnRow(db: Kysely<Database>, returnId: string): Promise<ReturnRow | null> {
  return (await db.selectFrom('returns').selectAll().where('id', '=', returnId).executeTakeFirst()) ?? null
}

/** An order's returns, oldest first (index `returns_by_order`). */
export async function listOrderReturns(db: Kysely<Database>, orderId: string): Promise<ReturnRow[]> {
  return db.selectFrom('returns').selectAll().where('order_id', '=', orderId).orderBy('requested_at').orderBy('id').execute()
}

/** The return whose parcel has this tracking number, if any (index `returns_by_tracking_number`). */
export async function findReturnByTrackingNumber(
  db: Kysely<Database>,
  trackingNumber: string,
): Promise<{ id: string; order_id: string } | null> {
  const row = await db
    .selectFrom('returns')
    .select(['id', 'order_id'])
    .where('label_tracking_number', '=', trackingNumber)
    .executeTakeFirst()
  return row ?? null
}

/** An order's refunds owed to its cash-on-delivery customer, oldest first. */
export async function listCodRefundsOwed(db: Kysely<Database>, orderId: string): Promise<CodRefundOwedRow[]> {
  return db.selectFrom('cod_refunds_owed').selectAll().where('order_id', '=', orderId).orderBy('owed_since').execute()
}

/**
 * Marks a refund owed as settled by an admin (a bank transfer outside the
 * system, with its reference); settling twice keeps the first settlement.
 * Returns the row as it stands, or null when the order owes no such refund.
 */
export async function settleCodRefundOwed(
  db: Kysely<Database>,
  input: { orderId: string; refundId: string; settledBy: string; reference: string },
): Promise<CodRefundOwedRow | null> {
  await db
    .updateTable('cod_refunds_owed')
    .set({ settled_at: sql`now()`, settled_by: input.settledBy, reference: input.reference })
    .where('id', '=', input.refundId)
    .where('order_id', '=', input.orderId)
    .where('settled_at', 'is', null)
    .execute()
  const row = await db
    .selectFrom('cod_refunds_owed')
    .selectAll()
    .where('id', '=', input.refundId)
    .where('order_id', '=', input.orderId)
    .executeTakeFirst()
  return row ?? null
}

/**
 * The returns counters: every return by its reason and each outcome it
 * reached (`requested` counts them all), and the items written off. Each
 * milestone has its timestamp, so the counts only grow.
 */
export async function countReturns(db: Kysely<Database>) {
  const [byReason, writtenOff] = await Promise.all([
    db
      .selectFrom('returns')
      .select((eb) => [
        'reason',
        eb.fn.countAll<string>().as('requested'),
        eb.fn.count<string>('approved_at').as('approved'),
        eb.fn.count<string>('rejected_at').as('rejected'),
        eb.fn.count<string>('received_at').as('received'),
        eb.fn.count<string>('refunded_at').as('refunded'),
        sql<string>`count(*) filter (where closed_at is not null and approved_at is not null and received_at is null)`.as(
          'expired',
        ),
      ])
      .groupBy('reason')
      .execute(),
    db
      .selectFrom('returns')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('items_written_off'), sql<string>`0`).as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { byReason, itemsWrittenOff: Number(writtenOff.n) }
}

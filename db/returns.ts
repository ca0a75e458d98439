/**
 * The returns read model: an order's after-sales (its refunds and window),
 * its returns, the cash-on-delivery refunds owed, and the counters of
 * returns. Written by the after-sales bookkeeping activity, in one
 * transaction; read by the API, the CLI and the carrier webhook.
 */
import { type Kysely, type Selectable, sql } from 'kysely'
import {
  type AfterSalesCounts,
  type AfterSalesState,
  type ReturnReason,
  type ReturnState,
  shopFaultReasons,
} from '../domain/returns.js'
import type { AfterSalesTable, CodRefundsOwedTable, Database, ReturnsTable } from './schema.js'
import { storable } from './storable-text.js'

export type AfterSalesRow = Selectable<AfterSalesTable>
export type ReturnRow = Selectable<ReturnsTable>
export type CodRefundOwedRow = Selectable<CodRefundsOwedTable>

/**
 * The reason of a return as a whole (the `reason` column): its first line's
 * that is the shop's fault, else its first line's.
 */
export function returnReasonOf(lines: ReturnState['lines']): ReturnReason {
  return (lines.find((line) => shopFaultReasons.has(line.reason)) ?? lines[0])?.reason ?? 'other'
}

/**
 * Writes the after-sales row of `state` when it is newer than the row
 * stands (or there is none): true when it was written. Every other part of
 * an after-sales write is made only when this one was, so a late or
 * repeated write changes nothing and counts nothing twice.
 */
export async function saveAfterSalesRow(db: Kysely<Database>, state: AfterSalesState): Promise<boolean> {
  const s = storable(state)
  const row = {
    order_id: s.orderId,
    customer_id: s.customerId,
    currency: s.currency,
    refunds: JSON.stringify(s.refunds),
    refundable: s.refundable,
    window_ends_at: s.windowEndsAt,
    closed: s.closed,
    version: s.version,
  }
  const { order_id: _orderId, customer_id: _customerId, ...changes } = row
  const written = await db
    .insertInto('after_sales')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('order_id')
        .doUpdateSet({ ...changes, updated_at: sql`now()` })
        .where('after_sales.version', '<', row.version),
    )
    .returning('order_id')
    .executeTakeFirst()
  return written !== undefined
}

/** Writes an order's returns as its after-sales state has them (call after {@link saveAfterSalesRow} said yes). */
export async function saveReturns(db: Kysely<Database>, state: AfterSalesState): Promise<void> {
  if (state.returns.length === 0) return
  const rows = storable(state.returns).map((r) => ({
    id: r.id,
    order_id: state.orderId,
    customer_id: storable(state.customerId),
    status: r.status,
    reason: returnReasonOf(r.lines),
    lines: JSON.stringify(r.lines),
    note: r.note,
    label_carrier: r.label?.carrier ?? null,
    label_tracking_number: r.label?.trackingNumber ?? null,
    ship_by: r.shipBy,
    received: JSON.stringify(r.received),
    refund_amount: r.refund?.amount ?? null,
    refund_shipping: r.refund?.shipping ?? null,
    currency: r.refund?.currency ?? state.currency,
    exchange: r.exchange ? JSON.stringify(r.exchange) : null,
    restocked: r.restocked,
    written_off: r.writtenOff,
    timeline: JSON.stringify(r.timeline),
    requested_at: r.requestedAt,
    updated_at: r.updatedAt,
    version: state.version,
  }))
  await db
    .insertInto('returns')
    .values(rows)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          lines: eb.ref('excluded.lines'),
          note: eb.ref('excluded.note'),
          label_carrier: eb.ref('excluded.label_carrier'),
          label_tracking_number: eb.ref('excluded.label_tracking_number'),
          ship_by: eb.ref('excluded.ship_by'),
          received: eb.ref('excluded.received'),
          refund_amount: eb.ref('excluded.refund_amount'),
          refund_shipping: eb.ref('excluded.refund_shipping'),
          currency: eb.ref('excluded.currency'),
          exchange: eb.ref('excluded.exchange'),
          restocked: eb.ref('excluded.restocked'),
          written_off: eb.ref('excluded.written_off'),
          timeline: eb.ref('excluded.timeline'),
          updated_at: eb.ref('excluded.updated_at'),
          version: eb.ref('excluded.version'),
        }))
        .where('returns.version', '<', (eb) => eb.ref('excluded.version')),
    )
    .execute()
}

/** Writes the refunds an order owes its cash-on-delivery customer, settled or not, as its after-sales state has them. */
export async function saveCodRefundsOwed(db: Kysely<Database>, state: AfterSalesState): Promise<void> {
  if (state.codRefundsOwed.length === 0) return
  const rows = storable(state.codRefundsOwed).map((owed) => ({
    order_id: state.orderId,
    id: owed.id,
    return_id: owed.returnId,
    currency: owed.currency,
    amount: owed.amount,
    owed_since: owed.owedSince,
    settled_at: owed.settledAt,
    settled_by: owed.settledBy ? `${owed.settledBy.type}:${owed.settledBy.id ?? ''}` : null,
    reference: owed.reference,
  }))
  await db
    .insertInto('cod_refunds_owed')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['order_id', 'id']).doUpdateSet((eb) => ({
        settled_at: eb.fn.coalesce('cod_refunds_owed.settled_at', eb.ref('excluded.settled_at')),
        settled_by: eb.fn.coalesce('cod_refunds_owed.settled_by', eb.ref('excluded.settled_by')),
        reference: eb.fn.coalesce('cod_refunds_owed.reference', eb.ref('excluded.reference')),
      })),
    )
    .execute()
}

/**
 * Counts what an after-sales write says happened (call only when
 * {@link saveAfterSalesRow} wrote): `return` by `<reason>/<outcome>`, one
 * per return line, and `return_written_off` by units, in the sharded
 * counters the metrics read.
 */
export async function countAfterSales(db: Kysely<Database>, orderId: string, counts: AfterSalesCounts): Promise<void> {
  const increments = new Map<string, { metric: 'return' | 'return_written_off'; label: string; by: number }>()
  for (const { reason, outcome } of counts.returns) {
    const label = `${reason}/${outcome}`
    const current = increments.get(label)
    increments.set(label, { metric: 'return', label, by: (current?.by ?? 0) + 1 })
  }
  if (counts.itemsWrittenOff > 0) {
    increments.set('', { metric: 'return_written_off', label: '', by: counts.itemsWrittenOff })
  }
  if (increments.size === 0) return
  await db
    .insertInto('order_metric_counts')
    .values(
      [...increments.values()].map(({ metric, label, by }) => ({
        metric,
        label,
        shard: sql<number>`(hashtext(${orderId}::text) & 15)::smallint`,
        value: by,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['metric', 'label', 'shard']).doUpdateSet((eb) => ({
        value: sql<number>`${eb.ref('order_metric_counts.value')} + ${eb.ref('excluded.value')}`,
      })),
    )
    .execute()
}

/**
 * Shows the after-sales refunds on the order's own row: its `payment.refunded`
 * becomes what was captured less what is left to refund, when that is more,
 * and its payment status PARTIALLY_REFUNDED or REFUNDED.
 * The row's version is left alone (it is the order workflow's), so an order
 * whose workflow still runs is never kept from writing its own changes.
 */
export async function showAfterSalesRefundsOnOrder(db: Kysely<Database>, state: AfterSalesState): Promise<void> {
  await db
    .updateTable('orders')
    .set({
      payment: sql`jsonb_set(payment, '{refunded}', to_jsonb((payment->>'captured')::integer - ${state.refundable}))`,
      payment_status: sql`case when ${state.refundable} <= 0 then 'REFUNDED' else 'PARTIALLY_REFUNDED' end`,
      updated_at: sql`now()`,
    })
    .where('id', '=', state.orderId)
    .where(sql<boolean>`(payment->>'captured')::integer - ${state.refundable} > (payment->>'refunded')::integer`)
    .execute()
}

/** An order's after-sales row, or null when its after-sales workflow never started. */
export async function findAfterSalesRow(db: Kysely<Database>, orderId: string): Promise<AfterSalesRow | null> {
  return (await db.selectFrom('after_sales').selectAll().where('order_id', '=', orderId).executeTakeFirst()) ?? null
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
  return db
    .selectFrom('cod_refunds_owed')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('owed_since')
    .orderBy('id')
    .execute()
}

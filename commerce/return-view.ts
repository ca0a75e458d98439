import type { CodRefundOwedRow, ReturnRow } from '../db/returns.js'
import { returnReasonOf } from '../db/returns.js'
import type { ReturnState } from '../domain/returns.js'
import type { CodRefundView, ReturnView } from '../api/schemas/returns.js'

/** A return as clients see it, from the after-sales workflow's answer. */
export function returnViewFromState(ret: ReturnState): ReturnView {
  return {
    id: ret.id,
    orderId: ret.orderId,
    status: ret.status,
    reason: returnReasonOf(ret.lines),
    lines: ret.lines.map(({ sku, quantity, reason }) => ({ sku, quantity, reason })),
    note: ret.note,
    label: ret.label ? { carrier: ret.label.carrier, trackingNumber: ret.label.trackingNumber } : null,
    shipBy: ret.shipBy,
    received: ret.received.map(({ sku, quantity, resellable }) => ({ sku, quantity, resellable })),
    refund: ret.refund ? { amount: ret.refund.amount, currency: ret.refund.currency, shipping: ret.refund.shipping } : null,
    exchange: ret.exchange
      ? {
          lines: ret.exchange.lines.map(({ sku, name, quantity, unitPrice, lineTotal }) => ({
            sku,
            name,
            quantity,
            unitPrice,
            lineTotal,
          })),
          difference: ret.exchange.difference,
          parcel: ret.exchange.parcel,
        }
      : null,
    restocked: ret.restocked,
    writtenOff: ret.writtenOff,
    requestedAt: ret.requestedAt,
    updatedAt: ret.updatedAt,
  }
}

/** A return as clients see it, from the returns read model. */
export function returnViewFromRow(row: ReturnRow): ReturnView {
  return returnViewFromState({
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    lines: row.lines,
    note: row.note,
    label:
      row.label_carrier && row.label_tracking_number
        ? { carrier: row.label_carrier, trackingNumber: row.label_tracking_number }
        : null,
    shipBy: row.ship_by?.toISOString() ?? null,
    received: row.received,
    refund:
      row.refund_amount !== null
        ? { amount: row.refund_amount, currency: row.currency, shipping: row.refund_shipping ?? 0 }
        : null,
    exchange: row.exchange,
    restocked: row.restocked,
    writtenOff: row.written_off,
    requestedAt: row.requested_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    timeline: [],
  })
}

/** A cash-on-delivery refund owed, as clients see it. */
export function codRefundViewFromRow(row: CodRefundOwedRow): CodRefundView {
  return {
    id: row.id,
    orderId: row.order_id,
    returnId: row.return_id,
    amount: row.amount,
    currency: row.currency,
    owedSince: row.owed_since.toISOString(),
    settledAt: row.settled_at?.toISOString() ?? null,
    settledBy: row.settled_by,
    reference: row.reference,
  }
}

import type { OrderRow } from '../db/order-queries.js'
import type { OrderSnapshot } from '../db/order-read-model.js'
import type { PaymentState } from '../domain/order-types.js'
import type { FulfillmentStatus } from '../domain/vocabulary.js'
import type { OrderView } from '../api/schemas/orders.js'

/** The amounts of a payment, without the provider's reference. */
function paymentView(payment: PaymentState): OrderView['payment'] {
  return {
    authorized: payment.authorized,
    captured: payment.captured,
    refunded: payment.refunded,
    refundableUntil: payment.refundableUntil ?? null,
  }
}

/** An order as clients see it, from the workflow's live state. */
export function orderViewFromState(order: OrderSnapshot): OrderView {
  return {
    id: order.orderId,
    customerId: order.customerId,
    status: order.status,
    paymentStatus: order.paymentStatus,
    fulfillmentStatus: order.fulfillmentStatus,
    paymentMethod: order.paymentMethod,
    lines: order.lines,
    totals: order.totals,
    shippingAddress: order.shippingAddress,
    payment: paymentView(order.payment),
    shipment: order.shipment ? { carrier: order.shipment.carrier, trackingNumber: order.shipment.trackingNumber } : null,
    cancellation: order.cancellation,
    codConfirmationDeadline: order.codConfirmationDeadline,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    version: order.version,
  }
}

/** An order as clients see it, from the Postgres read model. */
export function orderViewFromRow(row: OrderRow): OrderView {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status as OrderView['status'],
    paymentStatus: row.payment_status as OrderView['paymentStatus'],
    fulfillmentStatus: row.fulfillment_status as FulfillmentStatus,
    paymentMethod: row.payment_method as OrderView['paymentMethod'],
    lines: row.lines,
    totals: { currency: row.currency, subtotal: row.subtotal, shipping: row.shipping, total: row.total },
    shippingAddress: row.shipping_address,
    payment: paymentView(row.payment),
    shipment: row.shipment ? { carrier: row.shipment.carrier, trackingNumber: row.shipment.trackingNumber } : null,
    cancellation: row.cancellation,
    codConfirmationDeadline: row.cod_confirmation_deadline?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  }
}

/**
 * An order answer stored under an Idempotency-Key (a placement's, a
 * refund's), in today's shape. Keys live 24 hours, so a replay may return an
 * answer stored before a field existed: such a field gets the value it had
 * at placement (`payment`: nothing held, taken or given back yet; `version`:
 * 0, older than any the order recorded), and the replay still honours the
 * contract.
 */
export function storedOrderView(stored: Record<string, unknown>): OrderView {
  const placed: Pick<OrderView, 'payment' | 'version'> = {
    payment: { authorized: 0, captured: 0, refunded: 0, refundableUntil: null },
    version: 0,
  }
  return { ...placed, ...stored } as OrderView
}

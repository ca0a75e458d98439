import { HANDED_OVER_RANK } from './carrier-progress.js'
import type { Actor, OrderState } from './order-types.js'
import type { CancellationReason, OrderStatus } from './vocabulary.js'

/** Statuses an order never leaves. */
export const finalStatuses: ReadonlySet<OrderStatus> = new Set(['DELIVERED', 'CANCELLED', 'RETURNED'])

/** Why a cancellation is refused; the API answers these with 409 (or 404 for `not_owner`). */
export type CancellationRefusal = 'not_owner' | 'already_shipped' | 'already_delivered' | 'already_returned'

/** Whether the carrier has had the parcel in hand: from then on the order keeps its money and its parcel. */
export function handedOver(order: OrderState): boolean {
  return (order.shipment?.progress ?? 0) >= HANDED_OVER_RANK
}

/**
 * Decides whether `actor` may cancel the order now. Cancelling is allowed
 * until the carrier has the parcel in hand, by the owning customer, an admin,
 * or an operator (a cancellation requested in Temporal itself).
 * An order that is already cancelled is not refused: cancelling is idempotent.
 */
export function cancellationRefusal(order: OrderState, actor: Actor): CancellationRefusal | null {
  if (actor.type === 'customer' && actor.id !== order.customerId) return 'not_owner'
  if (actor.type !== 'customer' && actor.type !== 'admin' && actor.type !== 'operator') return 'not_owner'
  switch (order.status) {
    case 'CANCELLED':
    case 'PENDING':
    case 'AWAITING_CONFIRMATION':
      return null
    case 'CONFIRMED':
      return handedOver(order) ? 'already_shipped' : null
    case 'SHIPPED':
      return 'already_shipped'
    case 'DELIVERED':
      return 'already_delivered'
    case 'RETURNED':
      return 'already_returned'
  }
}

/** The reason an order is cancelled for when `actor` asked. */
export function requestedCancellationReason(actor: Actor): CancellationReason {
  return actor.type === 'admin' ? 'admin_request' : actor.type === 'operator' ? 'operator_request' : 'customer_request'
}

/** Why a cash-on-delivery confirmation is refused. */
export type CodConfirmationRefusal = 'not_admin' | 'not_cash_on_delivery' | 'not_awaiting_confirmation'

/**
 * Decides whether `actor` may confirm a cash-on-delivery order now. Confirming
 * an order that is already confirmed is not refused: it is idempotent.
 */
export function codConfirmationRefusal(order: OrderState, actor: Actor): CodConfirmationRefusal | null {
  if (actor.type !== 'admin') return 'not_admin'
  if (order.paymentMethod !== 'cod') return 'not_cash_on_delivery'
  if (order.status === 'AWAITING_CONFIRMATION' || order.status === 'PENDING') return null
  const alreadyConfirmed = order.timeline.some((entry) => entry.type === 'cod_confirmed')
  return alreadyConfirmed && !finalStatuses.has(order.status) ? null : 'not_awaiting_confirmation'
}

/** Why a refund is refused. */
export type RefundRefusal = 'not_admin' | 'not_refundable' | 'order_closed' | 'exceeds_refundable' | 'invalid_amount'

/**
 * Decides whether an admin may refund `amount` now. Money can be given back
 * once it is captured (card and PayPal; cash on delivery is refunded by hand),
 * up to what was captured less what is refunded or already being refunded.
 */
export function refundRefusal(
  order: OrderState,
  request: { actor: Actor; amount: number },
  alreadyRequested: number,
): RefundRefusal | null {
  if (request.actor.type !== 'admin') return 'not_admin'
  if (order.paymentMethod === 'cod') return 'not_refundable'
  if (order.status === 'CANCELLED' || order.status === 'RETURNED') return 'order_closed'
  if (order.payment.captured === 0) return 'not_refundable'
  if (!Number.isSafeInteger(request.amount) || request.amount <= 0) return 'invalid_amount'
  return request.amount > refundableAmount(order) - alreadyRequested ? 'exceeds_refundable' : null
}

/**
 * Words for the admin whose refund was refused, where there is more to say:
 * how much is still refundable when the amount exceeds it.
 *
 * @example
 * ```ts
 * refundRefusalDetail(order, 'exceeds_refundable', 0) // '3599 (USD minor units) is still refundable'
 * ```
 */
export function refundRefusalDetail(
  order: OrderState,
  refusal: RefundRefusal | null,
  alreadyRequested: number,
): string | undefined {
  if (refusal !== 'exceeds_refundable') return undefined
  const left = Math.max(refundableAmount(order) - alreadyRequested, 0)
  return `${left} (${order.totals.currency} minor units) is still refundable`
}

/** What was captured and not yet given back, in minor units. */
export function refundableAmount(order: OrderState): number {
  return Math.max(order.payment.captured - order.payment.refunded, 0)
}

import { isOrderId } from '../db/order-queries.js'
import type { RefundReason } from '../domain/vocabulary.js'
import type { OrderView } from '../api/schemas/orders.js'
import { type Caller, actorOf } from './caller.js'
import { OrderNotFound, OrderUpdateRefused } from './commerce-errors.js'
import { underIdempotencyKey } from './idempotency-key.js'
import { storedOrderView } from './order-view.js'
import { type OrderUpdateDeps, closedOrderRefusal, sendRefund, updateOrder } from './order-updates.js'
import { requestFingerprint } from './request-fingerprint.js'

/** How much to give back (minor units of the order's currency), and why. */
export interface RefundRequest {
  amount: number
  reason: RefundReason
  note?: string | null | undefined
}

/**
 * An admin refunds part or all of a captured payment. The Idempotency-Key
 * makes it safe to retry: the same request answers the first refund (and is
 * the Temporal update id, so even a request that crashed half-way refunds
 * once); another request under the key is refused.
 *
 * @throws OrderNotFound, OrderUpdateRefused, OrderUpdateTimedOut, IdempotencyKeyReused, IdempotencyKeyInFlight
 */
export async function refundPayment(
  deps: OrderUpdateDeps,
  caller: Caller,
  orderId: string,
  options: { request: RefundRequest; idempotencyKey: string },
): Promise<{ order: OrderView; replayed: boolean }> {
  if (!isOrderId(orderId)) throw new OrderNotFound(orderId)
  const { request, idempotencyKey } = options
  const key = { caller, key: idempotencyKey, fingerprint: requestFingerprint({ refund: orderId, ...request }), orderId }
  const outcome = await underIdempotencyKey(deps.db, key, 200, () =>
    updateOrder(
      deps,
      caller,
      orderId,
      () =>
        sendRefund(deps.temporal, orderId, {
          actor: actorOf(caller),
          amount: request.amount,
          reason: request.reason,
          note: request.note ?? null,
          key: idempotencyKey,
        }),
      (closed) => {
        if (closed.status !== 'DELIVERED') throw closedOrderRefusal(closed)
        throw new OrderUpdateRefused('refund_window_closed', 'The refund window of this order has closed')
      },
    ),
  )
  return outcome.replayed
    ? { order: storedOrderView(outcome.answer), replayed: true }
    : { order: outcome.answer, replayed: false }
}

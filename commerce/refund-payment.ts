import { findOrderRow, isOrderId } from '../db/order-queries.js'
import { afterSalesOrderOf } from '../domain/returns.js'
import type { RefundReason } from '../domain/vocabulary.js'
import { afterSalesRefundUpdate } from '../workflows/after-sales/messages.js'
import { refundUpdateId } from '../workflows/messages.js'
import type { OrderView } from '../api/schemas/orders.js'
import { type AfterSalesDeps, orderStateFromReadModel, sendAfterSalesUpdateWithStart } from './after-sales-updates.js'
import { type Caller, actorOf } from './caller.js'
import { OrderNotFound, OrderUpdateRefused } from './commerce-errors.js'
import { underIdempotencyKey } from './idempotency-key.js'
import { orderViewFromRow, storedOrderView } from './order-view.js'
import { type OrderUpdateDeps, closedOrderRefusal, sendRefund, updateOrder } from './order-updates.js'
import { requestFingerprint } from './request-fingerprint.js'

/** How much to give back (minor units of the order's currency), and why. */
export interface RefundRequest {
  amount: number
  reason: RefundReason
  note?: string | null | undefined
}

/** What a refund needs: the order's workflow, and its after-sales workflow once the order's has closed. */
export interface RefundDeps extends OrderUpdateDeps, AfterSalesDeps {
  /** REFUND_WINDOW: how long after delivery a refund may still be made; 30 days when omitted. */
  refundWindowMs?: number
}

const DEFAULT_REFUND_WINDOW_MS = 30 * 86_400_000

/** The order's workflow has ended: the refund goes to its after-sales workflow instead. */
class OrderWorkflowClosed extends Error {
  constructor(readonly order: OrderView) {
    super(`order ${order.id} is closed`)
  }
}

/**
 * An admin refunds part or all of a captured payment. The Idempotency-Key
 * makes it safe to retry: the same request answers the first refund (and is
 * the Temporal update id, so even a request that crashed half-way refunds
 * once); another request under the key is refused.
 *
 * While the order's workflow runs, it refunds. Once it has closed on a
 * delivered order, the refund is a goodwill refund of the order's
 * after-sales workflow (started by it if need be, Update-with-Start), until
 * the order's `refundableUntil` (else REFUND_WINDOW after delivery), with the
 * same update id and refusals.
 *
 * @throws OrderNotFound, OrderUpdateRefused, OrderUpdateTimedOut, IdempotencyKeyReused, IdempotencyKeyInFlight
 */
export async function refundPayment(
  deps: RefundDeps,
  caller: Caller,
  orderId: string,
  options: { request: RefundRequest; idempotencyKey: string },
): Promise<{ order: OrderView; replayed: boolean }> {
  if (!isOrderId(orderId)) throw new OrderNotFound(orderId)
  const { request, idempotencyKey } = options
  const key = { caller, key: idempotencyKey, fingerprint: requestFingerprint({ refund: orderId, ...request }), orderId }
  const refund = {
    actor: actorOf(caller),
    amount: request.amount,
    reason: request.reason,
    note: request.note ?? null,
    key: idempotencyKey,
  }
  const outcome = await underIdempotencyKey(deps.db, key, 200, async () => {
    try {
      return await updateOrder(
        deps,
        caller,
        orderId,
        () => sendRefund(deps.temporal, orderId, refund),
        (closed) => {
          if (closed.status !== 'DELIVERED') throw closedOrderRefusal(closed)
          throw new OrderWorkflowClosed(closed)
        },
      )
    } catch (error) {
      if (!(error instanceof OrderWorkflowClosed)) throw error
      return refundAfterSales(deps, orderId, refund)
    }
  })
  return outcome.replayed
    ? { order: storedOrderView(outcome.answer), replayed: true }
    : { order: outcome.answer, replayed: false }
}

/** A goodwill refund through the order's after-sales workflow; answers the order with the refund on it. */
async function refundAfterSales(deps: RefundDeps, orderId: string, refund: Parameters<typeof sendRefund>[2]): Promise<OrderView> {
  const row = await findOrderRow(deps.db, orderId)
  if (!row) throw new OrderNotFound(orderId)
  const { deliveredAt } = afterSalesOrderOf(await orderStateFromReadModel(deps.db, row))
  const windowMs = deps.refundWindowMs ?? DEFAULT_REFUND_WINDOW_MS
  const closesAt =
    row.payment.refundableUntil ?? (deliveredAt ? new Date(new Date(deliveredAt).getTime() + windowMs).toISOString() : null)
  if (!closesAt || Date.now() > new Date(closesAt).getTime()) {
    throw new OrderUpdateRefused('refund_window_closed', 'The refund window of this order has closed')
  }
  const { key, ...request } = refund
  const state = await sendAfterSalesUpdateWithStart(deps, row, afterSalesRefundUpdate, {
    args: [request],
    updateId: refundUpdateId(refund.actor.id ?? '', key),
  })
  const order = orderViewFromRow((await findOrderRow(deps.db, orderId)) ?? row)
  const refunded = Math.max(order.payment.refunded, order.payment.captured - state.refundable)
  const paymentStatus = refunded >= order.payment.captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED'
  return { ...order, paymentStatus, payment: { ...order.payment, refunded } }
}

import { randomUUID } from 'node:crypto'
import { isOrderId } from '../db/order-queries.js'
import type { ReturnReason } from '../domain/returns.js'
import { requestReturnUpdate, returnUpdateId } from '../workflows/after-sales/messages.js'
import type { ReturnView } from '../api/schemas/returns.js'
import { type AfterSalesDeps, sendAfterSalesUpdateWithStart } from './after-sales-updates.js'
import { type Caller, actorOf, callerName } from './caller.js'
import { OrderNotFound, OrderUpdateRefused } from './commerce-errors.js'
import { underIdempotencyKey } from './idempotency-key.js'
import { findVisibleOrder } from './read-order.js'
import { requestFingerprint } from './request-fingerprint.js'
import { returnViewFromState } from './return-view.js'

/** What the customer sends back and why; replacement lines instead of money make it an exchange. */
export interface ReturnRequestInput {
  lines: { sku: string; quantity: number; reason: ReturnReason }[]
  replacementLines?: { sku: string; quantity: number }[] | undefined
  note?: string | undefined
}

/**
 * The order's owner (or an admin) asks to send lines of a delivered order
 * back: sent to the order's after-sales workflow, started by this request
 * if it is the first (Update-with-Start). The workflow checks the window and
 * that no more comes back than was delivered, against every other return,
 * concurrent ones included. The Idempotency-Key makes a retry answer the
 * first return (it is part of the update id, so even a request that crashed
 * half-way asks once).
 *
 * @throws OrderNotFound, OrderUpdateRefused (`not_delivered`, `return_window_closed`, `unknown_sku`,
 *   `more_than_delivered`, `exchange_not_allowed` …), OrderUpdateTimedOut, IdempotencyKeyReused, IdempotencyKeyInFlight
 */
export async function requestReturn(
  deps: AfterSalesDeps,
  caller: Caller,
  orderId: string,
  options: { request: ReturnRequestInput; idempotencyKey: string },
): Promise<{ ret: ReturnView; replayed: boolean }> {
  if (!isOrderId(orderId)) throw new OrderNotFound(orderId)
  const { request, idempotencyKey } = options
  const order = await findVisibleOrder(deps.db, caller, orderId)
  // Refused here as the workflow would refuse it, without starting an after-sales workflow for nothing.
  if (order.status !== 'DELIVERED') {
    throw new OrderUpdateRefused(
      'not_delivered',
      `Only a delivered order's items can be returned; this one is ${order.status.toLowerCase()}`,
    )
  }
  const key = { caller, key: idempotencyKey, fingerprint: requestFingerprint({ returnOf: orderId, ...request }), orderId }
  const outcome = await underIdempotencyKey(deps.db, key, 201, async () => {
    const ret = await sendAfterSalesUpdateWithStart(deps, order, requestReturnUpdate, {
      args: [
        {
          returnId: randomUUID(),
          actor: actorOf(caller),
          lines: request.lines,
          note: request.note ?? null,
          exchange: request.replacementLines ?? null,
        },
      ],
      updateId: returnUpdateId(`${callerName(caller)}-${idempotencyKey}`),
    })
    return returnViewFromState(ret)
  })
  return { ret: outcome.answer as ReturnView, replayed: outcome.replayed }
}

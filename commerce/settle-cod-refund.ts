import type { Kysely } from '../db/connection.js'
import { isOrderId } from '../db/order-queries.js'
import type { Database } from '../db/schema.js'
import type { CodRefundOwed } from '../domain/returns.js'
import { settleCodRefundUpdate, settleCodRefundUpdateId } from '../workflows/after-sales/messages.js'
import type { CodRefundView } from '../api/schemas/returns.js'
import { sendAfterSalesUpdate } from './after-sales-updates.js'
import { type Caller, actorOf } from './caller.js'
import { CodRefundNotFound, OrderNotFound, OrderUpdateRefused } from './commerce-errors.js'
import { findVisibleOrder } from './read-order.js'
import type { TemporalUpdateDeps } from './temporal-deadline.js'

/** A COD refund owed, as clients see it, from the after-sales workflow's state. */
function codRefundView(orderId: string, owed: CodRefundOwed): CodRefundView {
  return {
    id: owed.id,
    orderId,
    returnId: owed.returnId,
    amount: owed.amount,
    currency: owed.currency,
    owedSince: owed.owedSince,
    settledAt: owed.settledAt,
    settledBy: owed.settledBy ? `${owed.settledBy.type}:${owed.settledBy.id ?? ''}` : null,
    reference: owed.reference,
  }
}

/**
 * An admin records that a refund owed to a cash-on-delivery customer was
 * paid (a bank transfer outside the system, with its reference). Once per
 * refund owed: the update id is the refund's, so a retry answers the first
 * settlement; settling one already settled is 409 `already_settled`.
 *
 * @throws OrderNotFound, CodRefundNotFound, OrderUpdateRefused (`already_settled`, `after_sales_closed`), OrderUpdateTimedOut
 */
export async function settleCodRefund(
  deps: TemporalUpdateDeps & { db: Kysely<Database> },
  caller: Caller,
  orderId: string,
  options: { refundId: string; reference: string; note: string | null },
): Promise<CodRefundView> {
  if (!isOrderId(orderId)) throw new OrderNotFound(orderId)
  await findVisibleOrder(deps.db, caller, orderId)
  let state
  try {
    state = await sendAfterSalesUpdate(deps, orderId, settleCodRefundUpdate, {
      args: [{ codRefundId: options.refundId, actor: actorOf(caller), reference: options.reference, note: options.note }],
      updateId: settleCodRefundUpdateId(options.refundId),
    })
  } catch (error) {
    if (error instanceof OrderUpdateRefused && error.reason === 'cod_refund_not_found') {
      throw new CodRefundNotFound(options.refundId)
    }
    throw error
  }
  const owed = state.codRefundsOwed.find((one) => one.id === options.refundId)
  if (!owed) throw new CodRefundNotFound(options.refundId)
  return codRefundView(orderId, owed)
}

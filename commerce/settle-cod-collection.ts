import { settleCodCollection as markCodCollectionSettled } from '../db/cod-collections.js'
import type { Kysely } from '../db/connection.js'
import type { Database } from '../db/schema.js'
import type { CodCollectionOutcome } from '../domain/vocabulary.js'
import type { Caller } from './caller.js'
import { OrderUpdateRefused } from './commerce-errors.js'
import { findVisibleOrder } from './read-order.js'

/** A cash-on-delivery collection once settled with the carrier. */
export interface SettledCodCollection {
  orderId: string
  currency: string
  expectedAmount: number
  collectedAmount: number | null
  outcome: CodCollectionOutcome
  deliveredAt: string
  settledAt: string | null
  settledBy: string | null
  settledAmount: number | null
}

/**
 * An admin marks the cash of a delivered cash-on-delivery order as settled
 * with the carrier: `amount` when given, else what the carrier collected (or
 * the order total). Settling again answers the first settlement.
 *
 * @throws OrderNotFound, OrderUpdateRefused (`not_cash_on_delivery`, `not_delivered`)
 */
export async function settleCodCollection(
  db: Kysely<Database>,
  caller: Caller,
  orderId: string,
  options: { amount: number | null },
): Promise<SettledCodCollection> {
  const order = await findVisibleOrder(db, caller, orderId)
  if (order.payment_method !== 'cod') {
    throw new OrderUpdateRefused('not_cash_on_delivery', 'Only cash-on-delivery orders are settled')
  }
  const settled = await markCodCollectionSettled(db, { orderId, settledBy: caller.subject, amount: options.amount })
  if (!settled) throw new OrderUpdateRefused('not_delivered', 'The carrier has not reported this order delivered yet')
  return {
    orderId: settled.order_id,
    currency: settled.currency,
    expectedAmount: settled.expected_amount,
    collectedAmount: settled.collected_amount,
    outcome: settled.outcome,
    deliveredAt: settled.delivered_at.toISOString(),
    settledAt: settled.settled_at?.toISOString() ?? null,
    settledBy: settled.settled_by,
    settledAmount: settled.settled_amount,
  }
}

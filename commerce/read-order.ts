import type { Kysely } from '../db/connection.js'
import { findOrderRow } from '../db/order-queries.js'
import type { Database } from '../db/schema.js'
import type { OrderView } from '../api/schemas/orders.js'
import { type Caller, canSeeOrder } from './caller.js'
import { OrderNotFound } from './commerce-errors.js'
import { orderViewFromRow } from './order-view.js'

/**
 * The order as the read model has it: one indexed read of Postgres, and
 * nothing asked of Temporal, so reading an order never makes the worker
 * replay it. Someone else's order does not exist for a customer.
 *
 * The read model is never behind what this API told a client: a placement is
 * answered after its row is written, and an update's answer is written to
 * the row before it is passed on (`saveAnsweredOrder`), so a read returns
 * that version or a newer one. What the workflow did since, and has not yet
 * recorded, shows on the next read (or on the order's event stream).
 *
 * @throws OrderNotFound
 */
export async function readOrder(deps: { db: Kysely<Database> }, caller: Caller, orderId: string): Promise<OrderView> {
  return orderViewFromRow(await findVisibleOrder(deps.db, caller, orderId))
}

/**
 * The order's read-model row, if the caller may see it.
 *
 * @throws OrderNotFound when there is none, or it is someone else's.
 */
export async function findVisibleOrder(db: Kysely<Database>, caller: Caller, orderId: string) {
  const row = await findOrderRow(db, orderId)
  if (!row || !canSeeOrder(caller, row.customer_id)) throw new OrderNotFound(orderId)
  return row
}

import type { Kysely } from '../db/connection.js'
import { listCodRefundsOwed, listOrderReturns } from '../db/returns.js'
import type { Database } from '../db/schema.js'
import type { CodRefundView, ReturnView } from '../api/schemas/returns.js'
import type { Caller } from './caller.js'
import { findVisibleOrder } from './read-order.js'
import { findVisibleReturn } from './return-acts.js'
import { codRefundViewFromRow, returnViewFromRow } from './return-view.js'

/**
 * One return, from the read model, for its order's owner or an admin.
 *
 * @throws ReturnNotFound for anyone else.
 */
export async function readReturn(db: Kysely<Database>, caller: Caller, returnId: string): Promise<ReturnView> {
  return returnViewFromRow(await findVisibleReturn(db, caller, returnId))
}

/**
 * An order's returns, oldest first, for its owner or an admin.
 *
 * @throws OrderNotFound for anyone else.
 */
export async function readOrderReturns(db: Kysely<Database>, caller: Caller, orderId: string): Promise<ReturnView[]> {
  await findVisibleOrder(db, caller, orderId)
  return (await listOrderReturns(db, orderId)).map(returnViewFromRow)
}

/**
 * The refunds a cash-on-delivery order owes its customer, settled or not, for its owner or an admin.
 *
 * @throws OrderNotFound for anyone else.
 */
export async function readCodRefundsOwed(db: Kysely<Database>, caller: Caller, orderId: string): Promise<CodRefundView[]> {
  await findVisibleOrder(db, caller, orderId)
  return (await listCodRefundsOwed(db, orderId)).map(codRefundViewFromRow)
}

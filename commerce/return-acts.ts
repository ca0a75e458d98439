/**
 * An admin's acts on a return: approve (a return label is bought), reject,
 * and record what arrived (restocked or written off, then refunded or the
 * exchange shipped). Each is an update of the order's after-sales workflow.
 */
import type { Kysely } from '../db/connection.js'
import { isOrderId } from '../db/order-queries.js'
import { findReturnRow } from '../db/returns.js'
import type { Database } from '../db/schema.js'
import type { ReceivedLine } from '../domain/returns.js'
import {
  approveReturnUpdate,
  receiveReturnUpdate,
  rejectReturnUpdate,
  returnActUpdateId,
} from '../workflows/after-sales/messages.js'
import type { ReturnView } from '../api/schemas/returns.js'
import { sendAfterSalesUpdate } from './after-sales-updates.js'
import { type Caller, actorOf, canSeeOrder } from './caller.js'
import { ReturnNotFound } from './commerce-errors.js'
import { returnViewFromState } from './return-view.js'
import type { TemporalUpdateDeps } from './temporal-deadline.js'

export interface ReturnActDeps extends TemporalUpdateDeps {
  db: Kysely<Database>
}

/**
 * The order a return belongs to, if the caller may see it.
 *
 * @throws ReturnNotFound when there is none, or it is another customer's.
 */
export async function findVisibleReturn(db: Kysely<Database>, caller: Caller, returnId: string) {
  const row = isOrderId(returnId) ? await findReturnRow(db, returnId) : null
  if (!row || !canSeeOrder(caller, row.customer_id)) throw new ReturnNotFound(returnId)
  return row
}

/** An admin's act, sent once per request key (a retry answers the first act); without a key, once per return. */
async function act(
  deps: ReturnActDeps,
  caller: Caller,
  returnId: string,
  name: 'approve' | 'reject' | 'receive',
  requestKey: string | null,
  send: (orderId: string, updateId: string) => Promise<Parameters<typeof returnViewFromState>[0]>,
): Promise<ReturnView> {
  const row = await findVisibleReturn(deps.db, caller, returnId)
  return returnViewFromState(await send(row.order_id, returnActUpdateId(name, returnId, requestKey ?? 'once')))
}

/**
 * Approves a requested return: the carrier sells a return label, which the
 * answer carries, and the customer has until `shipBy` to hand the parcel over.
 *
 * @throws ReturnNotFound, OrderUpdateRefused (`not_requested`, `not_admin`, `after_sales_closed`), OrderUpdateTimedOut
 */
export function approveReturn(
  deps: ReturnActDeps,
  caller: Caller,
  returnId: string,
  options: { note: string | null; requestKey: string | null },
): Promise<ReturnView> {
  return act(deps, caller, returnId, 'approve', options.requestKey, (orderId, updateId) =>
    sendAfterSalesUpdate(deps, orderId, approveReturnUpdate, {
      args: [{ returnId, actor: actorOf(caller), note: options.note }],
      updateId,
    }),
  )
}

/**
 * Rejects a requested return: nothing comes back, nothing is refunded.
 *
 * @throws ReturnNotFound, OrderUpdateRefused (`not_requested`, `not_admin`, `after_sales_closed`), OrderUpdateTimedOut
 */
export function rejectReturn(
  deps: ReturnActDeps,
  caller: Caller,
  returnId: string,
  options: { note: string | null; requestKey: string | null },
): Promise<ReturnView> {
  return act(deps, caller, returnId, 'reject', options.requestKey, (orderId, updateId) =>
    sendAfterSalesUpdate(deps, orderId, rejectReturnUpdate, {
      args: [{ returnId, actor: actorOf(caller), note: options.note }],
      updateId,
    }),
  )
}

/**
 * Records what arrived for an approved return: resellable units back on the
 * shelf, the rest written off, the lines received refunded at the price paid
 * (or owed, cash on delivery), or the exchange shipped.
 *
 * @throws ReturnNotFound, OrderUpdateRefused (`not_receivable`, `received_more_than_returned` …), OrderUpdateTimedOut
 */
export function receiveReturn(
  deps: ReturnActDeps,
  caller: Caller,
  returnId: string,
  options: { lines: ReceivedLine[]; note: string | null; requestKey: string | null },
): Promise<ReturnView> {
  return act(deps, caller, returnId, 'receive', options.requestKey, (orderId, updateId) =>
    sendAfterSalesUpdate(deps, orderId, receiveReturnUpdate, {
      args: [{ returnId, actor: actorOf(caller), lines: options.lines, note: options.note }],
      updateId,
    }),
  )
}

import { type Client, WorkflowNotFoundError } from '@temporalio/client'
import type { Logger } from 'pino'
import type { Kysely } from '../db/connection.js'
import { findOrderRow, isOrderId } from '../db/order-queries.js'
import type { Database } from '../db/schema.js'
import { orderWorkflowId, statusQuery } from '../workflows/messages.js'
import type { OrderView } from '../api/schemas/orders.js'
import { type Caller, canSeeOrder } from './caller.js'
import { OrderNotFound } from './commerce-errors.js'
import { orderViewFromRow, orderViewFromState } from './order-view.js'

export interface ReadOrderDeps {
  db: Kysely<Database>
  temporal: Client
  logger: Logger
  /** How long the live query may take before the read model answers instead; 2 s by default. */
  liveQueryTimeoutMs?: number | undefined
}

/**
 * The order as it is now: the workflow's live state when it answers in time,
 * else the read model. Someone else's order does not exist for a customer.
 *
 * @throws OrderNotFound
 */
export async function readOrder(deps: ReadOrderDeps, caller: Caller, orderId: string): Promise<OrderView> {
  if (!isOrderId(orderId)) throw new OrderNotFound(orderId)
  const handle = deps.temporal.workflow.getHandle(orderWorkflowId(orderId))
  const live = await deps.temporal.connection
    .withDeadline(Date.now() + (deps.liveQueryTimeoutMs ?? 2_000), () => handle.query(statusQuery))
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError))
        deps.logger.warn({ err: error, orderId }, 'live query failed; answering from the read model')
      return null
    })
  if (live) {
    if (!canSeeOrder(caller, live.customerId)) throw new OrderNotFound(orderId)
    return orderViewFromState(live)
  }
  const row = await findOrderRow(deps.db, orderId)
  if (!row || !canSeeOrder(caller, row.customer_id)) throw new OrderNotFound(orderId)
  return orderViewFromRow(row)
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

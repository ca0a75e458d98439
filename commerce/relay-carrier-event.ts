import { WorkflowNotFoundError } from '@temporalio/client'
import type { Kysely } from '../db/connection.js'
import { findOrderIdByTrackingNumber } from '../db/order-queries.js'
import { findReturnByTrackingNumber } from '../db/returns.js'
import type { Database } from '../db/schema.js'
import type { CarrierEvent } from '../domain/order-types.js'
import { afterSalesWorkflowId } from '../domain/returns.js'
import { returnCarrierEventSignal } from '../workflows/after-sales/messages.js'
import { carrierEventSignal, orderWorkflowId } from '../workflows/messages.js'
import { UnknownTrackingNumber } from './commerce-errors.js'
import { type TemporalDeps, withinTemporalDeadline } from './temporal-deadline.js'

/**
 * What became of a carrier event: relayed to its order (or, for a return
 * parcel, to the order's after-sales workflow), or ignored because that
 * workflow has closed.
 */
export type CarrierEventOutcome =
  | { orderId: string; returnId: string | null; status: 'accepted' }
  | { orderId: string; returnId: string | null; status: 'ignored'; reason: 'order_closed' | 'after_sales_closed' }

/**
 * Hands a (verified) carrier tracking event to the order its tracking number
 * belongs to; a return parcel's events go to the order's after-sales
 * workflow. Both ignore duplicates and never move a parcel backwards.
 *
 * @throws UnknownTrackingNumber
 */
export async function relayCarrierEvent(
  deps: TemporalDeps & { db: Kysely<Database> },
  event: CarrierEvent,
): Promise<CarrierEventOutcome> {
  const orderId = await findOrderIdByTrackingNumber(deps.db, event.trackingNumber)
  if (orderId) {
    const sent = await signal(deps, () =>
      deps.temporal.workflow.getHandle(orderWorkflowId(orderId)).signal(carrierEventSignal, event),
    )
    return sent
      ? { orderId, returnId: null, status: 'accepted' }
      : { orderId, returnId: null, status: 'ignored', reason: 'order_closed' }
  }
  const returned = await findReturnByTrackingNumber(deps.db, event.trackingNumber)
  if (!returned) throw new UnknownTrackingNumber(event.trackingNumber)
  const { order_id: returnOrderId, id: returnId } = returned
  const sent = await signal(deps, () =>
    deps.temporal.workflow.getHandle(afterSalesWorkflowId(returnOrderId)).signal(returnCarrierEventSignal, event),
  )
  return sent
    ? { orderId: returnOrderId, returnId, status: 'accepted' }
    : { orderId: returnOrderId, returnId, status: 'ignored', reason: 'after_sales_closed' }
}

/** Sends a signal within the Temporal deadline; false when the workflow has closed. */
async function signal(deps: TemporalDeps, send: () => Promise<void>): Promise<boolean> {
  try {
    await withinTemporalDeadline(deps, send)
    return true
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error
    return false
  }
}

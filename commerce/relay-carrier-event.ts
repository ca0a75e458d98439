import { WorkflowNotFoundError } from '@temporalio/client'
import type { Kysely } from '../db/connection.js'
import { findOrderIdByTrackingNumber } from '../db/order-queries.js'
import type { Database } from '../db/schema.js'
import type { CarrierEvent } from '../domain/order-types.js'
import { carrierEventSignal, orderWorkflowId } from '../workflows/messages.js'
import { UnknownTrackingNumber } from './commerce-errors.js'
import { type TemporalDeps, withinTemporalDeadline } from './temporal-deadline.js'

/** What became of a carrier event: relayed to its order, or ignored because the order is closed. */
export type CarrierEventOutcome =
  { orderId: string; status: 'accepted' } | { orderId: string; status: 'ignored'; reason: 'order_closed' }

/**
 * Hands a (verified) carrier tracking event to the order its tracking number
 * belongs to; the workflow ignores duplicates and never moves an order backwards.
 *
 * @throws UnknownTrackingNumber
 */
export async function relayCarrierEvent(
  deps: TemporalDeps & { db: Kysely<Database> },
  event: CarrierEvent,
): Promise<CarrierEventOutcome> {
  const orderId = await findOrderIdByTrackingNumber(deps.db, event.trackingNumber)
  if (!orderId) throw new UnknownTrackingNumber(event.trackingNumber)
  try {
    await withinTemporalDeadline(deps, () =>
      deps.temporal.workflow.getHandle(orderWorkflowId(orderId)).signal(carrierEventSignal, event),
    )
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error
    return { orderId, status: 'ignored', reason: 'order_closed' }
  }
  return { orderId, status: 'accepted' }
}

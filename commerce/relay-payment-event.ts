import { WorkflowNotFoundError } from '@temporalio/client'
import type { Kysely } from '../db/connection.js'
import { findOrderPaymentStatus, markPaymentEventRelayed, recordPaymentEvent } from '../db/payment-webhook-events.js'
import type { Database } from '../db/schema.js'
import type { PaymentEvent } from '../domain/order-types.js'
import { orderWorkflowId, paymentEventSignal } from '../workflows/messages.js'
import { type TemporalDeps, withinTemporalDeadline } from './temporal-deadline.js'

/** What became of a verified provider event. */
export type RelayOutcome = 'accepted' | 'duplicate' | 'order_closed' | 'already_settled'

/** Payment statuses at which the workflow still listens to its provider. */
const listening: ReadonlySet<string> = new Set(['PENDING', 'ACTION_REQUIRED'])

/**
 * Hands a verified provider event to its order's workflow, once per event id.
 *
 * The event is written down and relayed under a lock on its id, and marked
 * relayed only after the signal is accepted: concurrent deliveries of one
 * event relay it once, a delivery we have relayed already is answered
 * `duplicate`, and a crash before the mark relays it again on the provider's
 * retry (the workflow dedupes by event id as well). An event about a payment
 * the order has already settled (authorized, declined) is recorded and not
 * relayed: the workflow no longer listens. No event can come before its
 * workflow: the workflow itself creates the payment the provider reports on,
 * and Temporal keeps a signal until the workflow reads it.
 */
export async function relayPaymentEvent(
  deps: TemporalDeps & { db: Kysely<Database> },
  orderId: string,
  event: PaymentEvent,
): Promise<RelayOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    if ((await recordPaymentEvent(trx, orderId, event)).relayed) return 'duplicate'
    const paymentStatus = await findOrderPaymentStatus(trx, orderId)
    let outcome: Exclude<RelayOutcome, 'duplicate'> = 'accepted'
    if (paymentStatus !== null && !listening.has(paymentStatus)) {
      outcome = 'already_settled'
    } else {
      try {
        await withinTemporalDeadline(deps, () =>
          deps.temporal.workflow.getHandle(orderWorkflowId(orderId)).signal(paymentEventSignal, event),
        )
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error
        outcome = 'order_closed'
      }
    }
    await markPaymentEventRelayed(trx, event, outcome)
    return outcome
  })
}

import { WorkflowNotFoundError } from '@temporalio/client'
import { sql } from 'kysely'
import { orderWorkflowId, paymentEventSignal } from '../../workflows/messages.js'
import type { PaymentEvent } from '../../domain/order-types.js'
import type { AppDeps } from '../app-deps.js'
import { withinTemporalDeadline } from '../temporal-deadline.js'

/** What became of a verified provider event. */
export type RelayOutcome = 'accepted' | 'duplicate' | 'order_closed' | 'already_settled'

/** Payment statuses at which the workflow still listens to its provider. */
const listening = new Set(['PENDING', 'ACTION_REQUIRED'])

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
export async function relayPaymentEvent(deps: AppDeps, orderId: string, event: PaymentEvent): Promise<RelayOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`${event.provider}:${event.eventId}`}))`.execute(trx)
    await trx
      .insertInto('payment_webhook_events')
      .values({
        provider: event.provider,
        event_id: event.eventId,
        order_id: orderId,
        type: event.type,
        reference: event.reference,
        relayed_at: null,
        outcome: null,
      })
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .execute()
    const stored = await trx
      .selectFrom('payment_webhook_events')
      .select(['relayed_at'])
      .where('provider', '=', event.provider)
      .where('event_id', '=', event.eventId)
      .executeTakeFirstOrThrow()
    if (stored.relayed_at) return 'duplicate'

    const order = await trx.selectFrom('orders').select(['payment_status']).where('id', '=', orderId).executeTakeFirst()
    let outcome: Exclude<RelayOutcome, 'duplicate'> = 'accepted'
    if (order && !listening.has(order.payment_status)) {
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
    await trx
      .updateTable('payment_webhook_events')
      .set({ relayed_at: sql`now()`, outcome })
      .where('provider', '=', event.provider)
      .where('event_id', '=', event.eventId)
      .execute()
    return outcome
  })
}

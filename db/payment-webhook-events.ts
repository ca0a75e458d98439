/** `payment_webhook_events`: every verified provider event, and what became of it. */
import { type Kysely, sql } from 'kysely'
import type { PaymentEvent } from '../domain/order-types.js'
import type { Database } from './schema.js'

/**
 * Inside a transaction: takes the event's lock (held until the transaction
 * ends, so concurrent deliveries of one event queue), records the event once,
 * and says whether it was relayed already.
 */
export async function recordPaymentEvent(
  trx: Kysely<Database>,
  orderId: string,
  event: PaymentEvent,
): Promise<{ relayed: boolean }> {
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
  return { relayed: stored.relayed_at !== null }
}

/** Marks the event relayed, with its outcome. */
export async function markPaymentEventRelayed(
  trx: Kysely<Database>,
  event: Pick<PaymentEvent, 'provider' | 'eventId'>,
  outcome: 'accepted' | 'order_closed' | 'already_settled',
): Promise<void> {
  await trx
    .updateTable('payment_webhook_events')
    .set({ relayed_at: sql`now()`, outcome })
    .where('provider', '=', event.provider)
    .where('event_id', '=', event.eventId)
    .execute()
}

/** The payment status the read model has for an order, if it has the order. */
export async function findOrderPaymentStatus(db: Kysely<Database>, orderId: string) {
  const row = await db.selectFrom('orders').select(['payment_status']).where('id', '=', orderId).executeTakeFirst()
  return row?.payment_status ?? null
}

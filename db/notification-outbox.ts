import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import { storable, storableText } from './storable-text.js'

/** A notice for the customer, as the outbox keeps it: at most one per order, kind and occurrence. */
export interface CustomerNotice {
  orderId: string
  customerId: string
  kind: string
  /** 1 when omitted; the second partial refund is `refunded` occurrence 2. */
  occurrence?: number
  data?: Record<string, unknown>
}

/**
 * Queues a notice in the outbox, once per order, kind and occurrence however
 * often it is asked; true when this call queued it. Delivery channels read
 * the outbox.
 *
 * @example
 * ```ts
 * await queueCustomerNotice(trx, { orderId, customerId, kind: 'shipped' }) // true, then false on a retry
 * ```
 */
export async function queueCustomerNotice(db: Kysely<Database>, notice: CustomerNotice): Promise<boolean> {
  const inserted = await db
    .insertInto('notification_outbox')
    .values({
      order_id: notice.orderId,
      customer_id: storableText(notice.customerId),
      kind: notice.kind,
      occurrence: notice.occurrence ?? 1,
      payload: JSON.stringify(storable(notice.data ?? {})),
    })
    .onConflict((oc) => oc.columns(['order_id', 'kind', 'occurrence']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted !== undefined
}

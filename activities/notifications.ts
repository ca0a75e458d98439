import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../db/schema.js'
import { storable, storableText } from '../db/storable-text.js'

export type { NotificationKind } from '../domain/notifications.js'
import type { NotificationKind } from '../domain/notifications.js'

export interface NotificationDeps {
  db: Kysely<Database>
  logger: Logger
}

export function createNotificationActivities({ db, logger }: NotificationDeps) {
  return {
    /**
     * Queues a customer notification in the outbox, at most once per order,
     * kind and occurrence (1 when omitted; the second partial refund is
     * `refunded` occurrence 2), however often the activity is retried.
     * The notification dispatcher (`workflows/notification-dispatcher-workflow.ts`)
     * delivers each row on every channel.
     */
    async notifyCustomer(input: {
      orderId: string
      customerId: string
      kind: NotificationKind
      occurrence?: number
      data?: Record<string, unknown>
    }): Promise<{ queued: boolean }> {
      const inserted = await db
        .insertInto('notification_outbox')
        .values({
          order_id: input.orderId,
          customer_id: storableText(input.customerId),
          kind: input.kind,
          occurrence: input.occurrence ?? 1,
          payload: JSON.stringify(storable(input.data ?? {})),
        })
        .onConflict((oc) => oc.columns(['order_id', 'kind', 'occurrence']).doNothing())
        .returning('id')
        .executeTakeFirst()
      if (inserted) {
        logger.info({ orderId: input.orderId, customerId: input.customerId, kind: input.kind }, 'customer notified')
      }
      return { queued: inserted !== undefined }
    },
  }
}

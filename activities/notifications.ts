import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { queueCustomerNotice } from '../db/notification-outbox.js'
import type { Database } from '../db/schema.js'

export type { NotificationKind } from '../domain/notifications.js'
import type { NotificationKind } from '../domain/notifications.js'

/** A notice the order asks to send: its kind, its occurrence (1 when omitted) and what it says. */
export interface NoticeRequest {
  kind: NotificationKind
  occurrence?: number
  data?: Record<string, unknown>
}

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
    async notifyCustomer(input: { orderId: string; customerId: string } & NoticeRequest): Promise<{ queued: boolean }> {
      const queued = await queueCustomerNotice(db, input)
      if (queued) logger.info({ orderId: input.orderId, customerId: input.customerId, kind: input.kind }, 'customer notified')
      return { queued }
    },
  }
}

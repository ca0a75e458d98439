/**
 * The channels a notification is delivered on. Each is one entry of
 * {@link createNotificationChannels}: a name and a `deliver` that sends one
 * notification. Adding a channel (webhooks, SMS) is adding an entry; the
 * dispatcher opens a delivery per entry for every notification from then on,
 * records its attempts, retries it with backoff and counts its failures.
 */
import type { Logger } from 'pino'
import type { Kysely } from 'kysely'
import type { Mailer } from '../adapters/email/mailer.js'
import { MailRefused } from '../adapters/email/mailer.js'
import { renderNotificationEmail } from '../adapters/email/notification-email.js'
import { announceOrderNotification, type NotificationForDelivery } from '../db/notification-deliveries.js'
import type { Database } from '../db/schema.js'
import { notificationFactsOf, notificationMessage } from '../domain/notification-messages.js'
import { orderEventOf } from '../domain/notifications.js'
import { type OrderEvent, orderEventId } from '../domain/order-events.js'

/** How a delivery ended: sent, or nothing to send on this channel (no address, no server), said why. */
export type ChannelOutcome = { outcome: 'sent' } | { outcome: 'skipped'; reason: string }

/**
 * One way of telling the customer (or another system). `deliver` may be
 * called more than once for the same notification (at least once): it
 * should carry the notification's stable id so a receiver can drop repeats.
 * Throw to have the attempt retried with backoff; throw a
 * {@link PermanentDeliveryFailure} when retrying cannot help.
 */
export interface NotificationChannel {
  deliver(notification: NotificationForDelivery): Promise<ChannelOutcome>
}

/** A delivery that retrying cannot mend (the mail server says the mailbox does not exist). */
export class PermanentDeliveryFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PermanentDeliveryFailure'
  }
}

/** Retries the attempt: the order's row or its contact may not be written yet (a placement a moment ago). */
class NotYetDeliverable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NotYetDeliverable'
  }
}

export interface NotificationChannelDeps {
  db: Kysely<Database>
  logger: Logger
  /** The SMTP server mails go through; without one the email channel skips, saying so. */
  mailer: Mailer | null
  /** The shop's name at the foot of every mail. */
  shopName?: string
  /** Publishes an order event to the webhook endpoints that want it (`publishOrderEvent`); none: no webhooks channel. */
  publishOrderEvent?: (event: OrderEvent) => Promise<unknown>
}

/** How long after placement a missing order row or address is waited for rather than taken as "none". */
const PLACEMENT_SETTLE_MS = 30_000

/**
 * Email: one mail per notification to the order's contact address, in the
 * customer's language, the same Message-ID on every retry.
 */
export function emailChannel(deps: NotificationChannelDeps): NotificationChannel {
  return {
    async deliver(notification) {
      if (!deps.mailer) return { outcome: 'skipped', reason: 'no SMTP server is configured (SMTP_URL)' }
      const young = Date.now() - notification.createdAt.getTime() < PLACEMENT_SETTLE_MS
      const { order } = notification
      if (!order) {
        if (young) throw new NotYetDeliverable('the order has no read-model row yet')
        return { outcome: 'skipped', reason: 'the order has no read-model row' }
      }
      if (!order.contactEmail) {
        if (Date.now() - order.createdAt.getTime() < PLACEMENT_SETTLE_MS) {
          throw new NotYetDeliverable('the order has no contact address yet')
        }
        return { outcome: 'skipped', reason: 'the customer gave no email address' }
      }
      const facts = notificationFactsOf(notification)
      if (!facts) return { outcome: 'skipped', reason: `no email template for ${notification.kind}` }
      const message = notificationMessage(facts, order.contactLanguage)
      const mail = renderNotificationEmail(message, { shopName: deps.shopName ?? 'Order engine' })
      const eventId = orderEventId(notification)
      try {
        await deps.mailer.send({
          to: order.contactEmail,
          ...mail,
          language: message.language,
          messageId: `<${eventId}@order-engine>`,
          headers: { 'X-Order-Id': notification.orderId, 'X-Notification-Id': eventId },
        })
      } catch (error) {
        if (error instanceof MailRefused && error.permanent) throw new PermanentDeliveryFailure(error.message)
        throw error
      }
      return { outcome: 'sent' }
    },
  }
}

/** The order's live event stream: announced to every API process, which pushes it as an event `notification`. */
export function orderStreamChannel(deps: NotificationChannelDeps): NotificationChannel {
  return {
    async deliver(notification) {
      await announceOrderNotification(deps.db, notification)
      return { outcome: 'sent' }
    },
  }
}

/**
 * Outbound webhooks: the notification's order event (its stable id, `order.<kind>`) handed to every endpoint that
 * wants it. Publishing is idempotent by event id, so a retried hand-over delivers once; each endpoint's delivery then
 * has its own retries and log (`webhookDeliveryWorkflow`).
 */
export function webhooksChannel(publish: (event: OrderEvent) => Promise<unknown>): NotificationChannel {
  return {
    async deliver(notification) {
      await publish(orderEventOf(notification))
      return { outcome: 'sent' }
    },
  }
}

/** Every channel, by name (the name is the `channel` of deliveries, attempts and `notifications_failed_total`). */
export function createNotificationChannels(deps: NotificationChannelDeps): Record<string, NotificationChannel> {
  return {
    email: emailChannel(deps),
    order_stream: orderStreamChannel(deps),
    ...(deps.publishOrderEvent ? { webhooks: webhooksChannel(deps.publishOrderEvent) } : {}),
  }
}

/**
 * The activities of notification delivery: waiting for new outbox rows,
 * delivering one notification on one channel (recording the attempt before
 * and after the send), and closing a notification once every channel is done.
 */
import { ApplicationFailure, Context } from '@temporalio/activity'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import {
  completeNotification,
  findNotificationForDelivery,
  findUndispatchedNotifications,
  finishNotificationAttempt,
  flagFailingDelivery,
  markNotificationsDispatched,
  openNotificationDeliveries,
  startNotificationAttempt,
  type UndispatchedNotification,
} from '../db/notification-deliveries.js'
import type { Database } from '../db/schema.js'
import { type NotificationChannel, PermanentDeliveryFailure } from './notification-channels.js'

/** After this many failed attempts of one delivery, staff are told on the order's timeline (once). */
export const FLAG_FAILING_AFTER_ATTEMPTS = 3

/** How often the waiting activity looks for new outbox rows (and heartbeats). */
const POLL_MS = 1_000

export interface NotificationDeliveryDeps {
  db: Kysely<Database>
  logger: Logger
  /** The channels by name; see `notification-channels.ts`. */
  channels: Record<string, NotificationChannel>
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2_000)
}

export function createNotificationDeliveryActivities({ db, logger, channels }: NotificationDeliveryDeps) {
  return {
    /**
     * Waits until outbox rows wait for delivery and returns up to `max` of
     * them, oldest first, or none after `idleMs`. Polls every second with a
     * heartbeat, so a worker that dies mid-wait is noticed within the
     * heartbeat timeout and the wait starts again elsewhere.
     */
    async waitForUndispatchedNotifications(input: { max: number; idleMs: number }): Promise<UndispatchedNotification[]> {
      const context = Context.current()
      const until = Date.now() + input.idleMs
      for (;;) {
        const due = await findUndispatchedNotifications(db, input.max)
        if (due.length > 0 || Date.now() >= until) return due
        context.heartbeat()
        await context.sleep(POLL_MS)
      }
    },

    /** Notes that these outbox rows have their delivery workflow. */
    async markNotificationsDispatched(input: { ids: number[] }): Promise<void> {
      await markNotificationsDispatched(db, input.ids)
    },

    /** Opens a delivery on every channel for the notification; returns the channels still to deliver on. */
    async planNotificationDelivery(input: { outboxId: number }): Promise<{ channels: string[] }> {
      return { channels: await openNotificationDeliveries(db, input.outboxId, Object.keys(channels)) }
    },

    /**
     * Delivers one notification on one channel, once per attempt: the
     * attempt is recorded as started before the send and finished after it.
     * A worker that dies between the two leaves it `started`; Temporal runs
     * the next attempt elsewhere, which sends again (at least once). A
     * failure is recorded and thrown for Temporal to retry with backoff;
     * after {@link FLAG_FAILING_AFTER_ATTEMPTS} staff are told on the order's
     * timeline. One retrying cannot mend fails for good, recorded so.
     */
    async deliverNotification(input: { outboxId: number; channel: string }): Promise<{ outcome: string }> {
      const context = Context.current()
      const attempt = context.info.attempt
      const channel = channels[input.channel]
      const notification = await findNotificationForDelivery(db, input.outboxId)
      if (!notification) return { outcome: 'gone' }
      const attemptId = await startNotificationAttempt(db, {
        outboxId: notification.id,
        orderId: notification.orderId,
        channel: input.channel,
        attempt,
      })
      const heartbeat = setInterval(() => context.heartbeat(), 2_000)
      try {
        if (!channel) throw new PermanentDeliveryFailure(`no channel ${input.channel} on this worker`)
        const result = await channel.deliver(notification)
        await finishNotificationAttempt(db, {
          attemptId,
          outboxId: notification.id,
          channel: input.channel,
          outcome: result.outcome,
          error: result.outcome === 'skipped' ? result.reason : null,
          final: true,
        })
        return { outcome: result.outcome }
      } catch (error) {
        const permanent = error instanceof PermanentDeliveryFailure
        const reason = messageOf(error)
        await finishNotificationAttempt(db, {
          attemptId,
          outboxId: notification.id,
          channel: input.channel,
          outcome: 'failed',
          error: reason,
          final: permanent,
        })
        logger.warn(
          { orderId: notification.orderId, kind: notification.kind, channel: input.channel, attempt, permanent, err: error },
          'notification delivery failed',
        )
        if (permanent || attempt >= FLAG_FAILING_AFTER_ATTEMPTS) {
          await flagFailingDelivery(db, {
            outboxId: notification.id,
            orderId: notification.orderId,
            channel: input.channel,
            message: permanent
              ? `The ${notification.kind} notification could not be delivered by ${input.channel}: ${reason}`
              : `The ${notification.kind} notification keeps failing on ${input.channel} (${attempt} attempts); it is still retried`,
            data: { channel: input.channel, notificationKind: notification.kind, attempts: attempt, error: reason },
          })
        }
        if (permanent) throw ApplicationFailure.nonRetryable(reason, 'NotificationUndeliverable')
        throw error
      } finally {
        clearInterval(heartbeat)
      }
    },

    /** Marks the notification sent once every channel is done with it. */
    async completeNotification(input: { outboxId: number }): Promise<{ complete: boolean }> {
      return { complete: await completeNotification(db, input.outboxId) }
    },
  }
}

/**
 * The dispatcher's queries: which outbox rows wait for delivery, what a
 * notification needs to be sent (its order's read-model row), and the record
 * of every delivery and attempt per channel.
 */
import { type Kysely, sql } from 'kysely'
import type { NotificationAttemptOutcome, NotificationDeliveryStatus } from '../domain/notifications.js'
import type { Database } from './schema.js'

export interface UndispatchedNotification {
  id: number
  orderId: string
  kind: string
  occurrence: number
}

/** Outbox rows not yet handed to a delivery workflow, oldest first (a partial index finds them). */
export async function findUndispatchedNotifications(db: Kysely<Database>, limit: number): Promise<UndispatchedNotification[]> {
  const rows = await db
    .selectFrom('notification_outbox')
    .select(['id', 'order_id', 'kind', 'occurrence'])
    .where('dispatched_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((row) => ({ id: row.id, orderId: row.order_id, kind: row.kind, occurrence: row.occurrence }))
}

/** Notes that these rows have a delivery workflow. */
export async function markNotificationsDispatched(db: Kysely<Database>, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return
  await db
    .updateTable('notification_outbox')
    .set({ dispatched_at: sql<Date>`now()` })
    .where('id', 'in', ids)
    .where('dispatched_at', 'is', null)
    .execute()
}

/** One outbox row with what its channels need from the order's read-model row (null when the order has none). */
export interface NotificationForDelivery {
  id: number
  orderId: string
  customerId: string
  kind: string
  occurrence: number
  data: Record<string, unknown>
  createdAt: Date
  order: {
    currency: string
    total: number
    paymentMethod: string
    refunded: number
    trackingNumber: string | null
    carrier: string | null
    cancellationReason: string | null
    contactEmail: string | null
    contactLanguage: string | null
    createdAt: Date
  } | null
}

export async function findNotificationForDelivery(
  db: Kysely<Database>,
  outboxId: number,
): Promise<NotificationForDelivery | null> {
  const row = await db
    .selectFrom('notification_outbox as n')
    .leftJoin('orders as o', 'o.id', 'n.order_id')
    .select([
      'n.id',
      'n.order_id',
      'n.customer_id',
      'n.kind',
      'n.occurrence',
      'n.payload',
      'n.created_at',
      'o.id as order_row',
      'o.currency',
      'o.total',
      'o.payment_method',
      'o.payment',
      'o.shipment',
      'o.cancellation',
      'o.contact_email',
      'o.contact_language',
      'o.created_at as order_created_at',
    ])
    .where('n.id', '=', outboxId)
    .executeTakeFirst()
  if (!row) return null
  return {
    id: row.id,
    orderId: row.order_id,
    customerId: row.customer_id,
    kind: row.kind,
    occurrence: row.occurrence,
    data: row.payload,
    createdAt: row.created_at,
    order:
      row.order_row && row.currency !== null && row.total !== null && row.payment_method !== null && row.order_created_at
        ? {
            currency: row.currency,
            total: row.total,
            paymentMethod: row.payment_method,
            refunded: row.payment?.refunded ?? 0,
            trackingNumber: row.shipment?.trackingNumber ?? null,
            carrier: row.shipment?.carrier ?? null,
            cancellationReason: row.cancellation?.reason ?? null,
            contactEmail: row.contact_email,
            contactLanguage: row.contact_language,
            createdAt: row.order_created_at,
          }
        : null,
  }
}

/**
 * Opens a delivery per channel for a notification (once: existing ones are
 * kept) and returns the channels still pending, in the order given.
 */
export async function openNotificationDeliveries(
  db: Kysely<Database>,
  outboxId: number,
  channels: readonly string[],
): Promise<string[]> {
  if (channels.length === 0) return []
  await db
    .insertInto('notification_deliveries')
    .values(channels.map((channel) => ({ outbox_id: outboxId, channel })))
    .onConflict((oc) => oc.columns(['outbox_id', 'channel']).doNothing())
    .execute()
  const pending = await db
    .selectFrom('notification_deliveries')
    .select('channel')
    .where('outbox_id', '=', outboxId)
    .where('status', '=', 'pending')
    .execute()
  const open = new Set(pending.map((row) => row.channel))
  return channels.filter((channel) => open.has(channel))
}

/** Records that an attempt starts, before anything is sent; returns its id. */
export async function startNotificationAttempt(
  db: Kysely<Database>,
  attempt: { outboxId: number; orderId: string; channel: string; attempt: number },
): Promise<number> {
  const row = await db
    .insertInto('notification_attempts')
    .values({ outbox_id: attempt.outboxId, order_id: attempt.orderId, channel: attempt.channel, attempt: attempt.attempt })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/**
 * Records how an attempt ended and where its delivery now stands: `sent`
 * and `skipped` settle it, a `failed` attempt leaves it pending (to be
 * retried) unless `final`. A failed attempt is counted in
 * `notifications_failed_total` (migration 007's trigger).
 */
export async function finishNotificationAttempt(
  db: Kysely<Database>,
  finished: {
    attemptId: number
    outboxId: number
    channel: string
    outcome: Exclude<NotificationAttemptOutcome, 'started'>
    error: string | null
    final: boolean
  },
): Promise<void> {
  const status: NotificationDeliveryStatus =
    finished.outcome === 'sent' ? 'delivered' : finished.outcome === 'skipped' ? 'skipped' : finished.final ? 'failed' : 'pending'
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('notification_attempts')
      .set({ outcome: finished.outcome, error: finished.error, finished_at: sql<Date>`now()` })
      .where('id', '=', finished.attemptId)
      .execute()
    await trx
      .updateTable('notification_deliveries')
      .set((eb) => ({
        status,
        attempts: eb('attempts', '+', 1),
        last_error: finished.error,
        delivered_at: status === 'delivered' ? sql<Date>`now()` : null,
        updated_at: sql<Date>`now()`,
      }))
      .where('outbox_id', '=', finished.outboxId)
      .where('channel', '=', finished.channel)
      .execute()
  })
}

/**
 * Tells staff, once per delivery, that it keeps failing: a staff-only entry
 * on the order's timeline (a negative `seq`, which the workflow's entries
 * never use and customers never see). Returns whether this call wrote it.
 */
export async function flagFailingDelivery(
  db: Kysely<Database>,
  flag: { outboxId: number; orderId: string; channel: string; message: string; data: Record<string, unknown> },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const flagged = await trx
      .updateTable('notification_deliveries')
      .set({ flagged_at: sql<Date>`now()` })
      .where('outbox_id', '=', flag.outboxId)
      .where('channel', '=', flag.channel)
      .where('flagged_at', 'is', null)
      .returning('outbox_id')
      .executeTakeFirst()
    if (!flagged) return false
    const orderExists = await trx.selectFrom('orders').select('id').where('id', '=', flag.orderId).executeTakeFirst()
    if (!orderExists) return true
    await trx
      .insertInto('order_timeline')
      .values({
        order_id: flag.orderId,
        seq: sql<number>`-nextval('order_timeline_staff_seq')`,
        occurred_at: sql<Date>`now()`,
        actor_type: 'system',
        actor_id: null,
        type: 'notification_failing',
        message: flag.message,
        data: JSON.stringify(flag.data),
      })
      .execute()
    return true
  })
}

/** Marks the notification sent once no channel is pending; returns whether it is. */
export async function completeNotification(db: Kysely<Database>, outboxId: number): Promise<boolean> {
  const updated = await db
    .updateTable('notification_outbox')
    .set({ sent_at: sql<Date>`now()` })
    .where('id', '=', outboxId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notification_deliveries')
            .select('outbox_id')
            .where('notification_deliveries.outbox_id', '=', outboxId)
            .where('status', '=', 'pending'),
        ),
      ),
    )
    .returning('id')
    .executeTakeFirst()
  return updated !== undefined
}

/** Every attempt on a notification, oldest first: for tests and support. */
export async function listNotificationAttempts(db: Kysely<Database>, outboxId: number) {
  return db
    .selectFrom('notification_attempts')
    .select(['channel', 'attempt', 'outcome', 'error', 'started_at', 'finished_at'])
    .where('outbox_id', '=', outboxId)
    .orderBy('id')
    .execute()
}

/**
 * Announces a notification to the API processes' order change feeds
 * (`order_notifications`), which push it to the order's event streams.
 */
export async function announceOrderNotification(
  db: Kysely<Database>,
  notification: { orderId: string; id: number },
): Promise<void> {
  const payload = JSON.stringify({ orderId: notification.orderId, id: notification.id })
  await sql`select pg_notify(${ORDER_NOTIFICATIONS_CHANNEL}, ${payload})`.execute(db)
}

/** The channel notifications are announced on to event streams, as `{"orderId": "<uuid>", "id": <outbox id>}`. */
export const ORDER_NOTIFICATIONS_CHANNEL = 'order_notifications'

/**
 * The customer notifications' vocabulary: what the order tells its customer
 * (one kind per milestone), where a notification goes (channels), and how
 * each delivery and attempt stands. Pure: shared by the activities, the API,
 * the metrics and `db/schema.ts`.
 */
import { type OrderEvent, type OrderNoticeKind, orderEventId, orderEventTypeOf } from './order-events.js'

/** The milestones the order tells its customer about: one outbox row each (a second partial refund is occurrence 2). */
export const notificationKinds = [
  'placed',
  'confirmed',
  'shipped',
  'delivered',
  'cancelled',
  'returned',
  'refunded',
  'delivery_exception',
  // After delivery, from the order's after-sales workflow.
  'return_requested',
  'return_approved',
  'return_rejected',
  'return_received',
  'return_closed',
  'exchange_shipped',
  'cod_refund_owed',
  'cod_refund_settled',
  'edited',
] as const
export type NotificationKind = (typeof notificationKinds)[number]

/**
 * The channels the engine delivers on today, as `notifications_failed_total`
 * labels them (a channel added later is reported too, from its first failure).
 * The channels themselves are `activities/notification-channels.ts`.
 */
export const knownNotificationChannels = ['email', 'order_stream', 'webhooks'] as const

/** Where one notification stands on one channel. */
export const notificationDeliveryStatuses = ['pending', 'delivered', 'skipped', 'failed'] as const
export type NotificationDeliveryStatus = (typeof notificationDeliveryStatuses)[number]

/** How one attempt ended; `started` is an attempt still running, or one whose worker died before it could say. */
export const notificationAttemptOutcomes = ['started', 'sent', 'skipped', 'failed'] as const
export type NotificationAttemptOutcome = (typeof notificationAttemptOutcomes)[number]

/** The natural key of an outbox row: the order, the milestone and its occurrence. */
export interface NotificationKey {
  orderId: string
  kind: string
  occurrence: number
}

/** The Temporal workflow id of one notification's delivery: one per outbox row, whatever database id it has. */
export function notificationDeliveryWorkflowId(key: NotificationKey): string {
  return `notification-${key.orderId}-${key.kind}-${key.occurrence}`
}

/**
 * The order event an outbox row stands for: its stable id, `order.<kind>`,
 * when the milestone was written, and the row's own data.
 */
export function orderEventOf(notification: NotificationKey & { createdAt: Date; data: Record<string, unknown> }): OrderEvent {
  return {
    eventId: orderEventId(notification),
    type: orderEventTypeOf(notification.kind as OrderNoticeKind),
    orderId: notification.orderId,
    occurredAt: notification.createdAt.toISOString(),
    data: { ...notification.data, occurrence: notification.occurrence },
  }
}

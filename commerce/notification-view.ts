import type { NotificationView } from '../api/schemas/notifications.js'
import type { InboxRow } from '../db/notification-inbox.js'
import { notificationFactsOf, notificationMessage } from '../domain/notification-messages.js'

/**
 * A notification as the inbox and the order's event stream show it: its
 * message in the customer's language (English when unknown), from the outbox
 * row and its order's row. Null for a row the engine has no words for.
 */
export function notificationViewFromRow(row: InboxRow): NotificationView | null {
  const facts = notificationFactsOf({
    kind: row.kind,
    orderId: row.order_id,
    data: row.payload,
    order:
      row.currency !== null && row.total !== null && row.payment_method !== null
        ? {
            currency: row.currency,
            total: row.total,
            paymentMethod: row.payment_method,
            refunded: row.payment?.refunded ?? 0,
            trackingNumber: row.shipment?.trackingNumber ?? null,
            carrier: row.shipment?.carrier ?? null,
            cancellationReason: row.cancellation?.reason ?? null,
          }
        : null,
  })
  if (!facts) return null
  const message = notificationMessage(facts, row.contact_language)
  return {
    id: String(row.id),
    orderId: row.order_id,
    kind: facts.kind,
    occurrence: row.occurrence,
    language: message.language,
    subject: message.subject,
    message: message.paragraphs.join('\n\n'),
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at ? row.read_at.toISOString() : null,
  }
}

/**
 * The order events other systems subscribe to with outbound webhooks, named
 * once: the webhook endpoints' `eventTypes`, the OpenAPI document's
 * `webhooks` section, the delivery log and the mapping from the customer
 * outbox all read these words.
 *
 * Nothing here imports anything: it is the ground floor of the code.
 */

/** Every order event a webhook endpoint may ask for, in the order an order meets them. */
export const orderEventTypes = [
  'order.placed',
  'order.confirmed',
  'order.shipped',
  'order.delivered',
  'order.delivery_exception',
  'order.cancelled',
  'order.refunded',
  'order.returned',
  'order.return_requested',
  'order.return_approved',
  'order.return_rejected',
  'order.return_received',
  'order.return_closed',
  'order.exchange_shipped',
  'order.cod_refund_owed',
  'order.cod_refund_settled',
  'order.edited',
] as const
export type OrderEventType = (typeof orderEventTypes)[number]

/** What each event type means, for the OpenAPI document and the README. */
export const orderEventDescriptions: Record<OrderEventType, string> = {
  'order.placed': 'The order was placed: priced, stock reserved, payment under way.',
  'order.confirmed': 'The order is confirmed: card authorized or cash on delivery confirmed by an admin, label bought.',
  'order.shipped': 'The carrier picked the parcel up.',
  'order.delivered': 'The carrier delivered the parcel.',
  'order.delivery_exception': 'The carrier reported a delivery exception; the parcel may come back.',
  'order.cancelled': 'The order was cancelled; `data.reason` says why.',
  'order.refunded': 'Money was refunded, in part or in full.',
  'order.returned': 'The parcel came back to the store: refunded and restocked.',
  'order.return_requested': 'The customer (or an admin) asked to send items back; `data.returnId` names the return.',
  'order.return_approved': 'An admin approved a return; `data.trackingNumber` is the return label for the customer.',
  'order.return_rejected': 'An admin rejected a return; nothing comes back, nothing is refunded.',
  'order.return_received': 'A return arrived at the warehouse: resellable items restocked, the rest written off.',
  'order.return_closed': 'A return closed without arriving: nobody handed the parcel to the carrier in time.',
  'order.exchange_shipped': 'The replacement of an exchange shipped as a new parcel; `data.trackingNumber` follows it.',
  'order.cod_refund_owed': 'A cash-on-delivery order is owed a refund (`data.amount`): staff pay it outside the system.',
  'order.cod_refund_settled': "Staff recorded the transfer of a cash-on-delivery refund owed, with the transfer's reference.",
  'order.edited': 'The order was edited before hand-over: new lines, total or address; `data` has the old and new totals.',
}

/**
 * The event type of each kind of customer notice the order and after-sales
 * workflows write to the outbox (`notification_outbox.kind`). The outbox dispatcher
 * publishes each outbox row as the event named here.
 */
export const orderEventTypeOfNotice = {
  placed: 'order.placed',
  confirmed: 'order.confirmed',
  shipped: 'order.shipped',
  delivered: 'order.delivered',
  delivery_exception: 'order.delivery_exception',
  cancelled: 'order.cancelled',
  refunded: 'order.refunded',
  returned: 'order.returned',
  return_requested: 'order.return_requested',
  return_approved: 'order.return_approved',
  return_rejected: 'order.return_rejected',
  return_received: 'order.return_received',
  return_closed: 'order.return_closed',
  exchange_shipped: 'order.exchange_shipped',
  cod_refund_owed: 'order.cod_refund_owed',
  cod_refund_settled: 'order.cod_refund_settled',
  edited: 'order.edited',
} as const satisfies Record<string, OrderEventType>
export type OrderNoticeKind = keyof typeof orderEventTypeOfNotice

/**
 * The event type an outbox row of `kind` is published as.
 *
 * @example
 * ```ts
 * orderEventTypeOf('shipped') // 'order.shipped'
 * ```
 */
export function orderEventTypeOf(kind: OrderNoticeKind): OrderEventType {
  return orderEventTypeOfNotice[kind]
}

/**
 * The stable id of the event an outbox row stands for: the same row always
 * gives the same id, so receivers dedupe on it (`webhook-id`) and
 * publishing a row twice delivers it once.
 *
 * @example
 * ```ts
 * orderEventId({ orderId: 'a1…', kind: 'refunded', occurrence: 2 }) // 'evt_a1…_refunded_2'
 * ```
 */
export function orderEventId(row: { orderId: string; kind: string; occurrence: number }): string {
  return `evt_${row.orderId}_${row.kind}_${row.occurrence}`
}

/** How one delivery attempt of a webhook ended: answered 2xx, failed (any other answer, a timeout, a network error), or refused by our own target rules. */
export const webhookAttemptOutcomes = ['delivered', 'failed', 'refused'] as const
export type WebhookAttemptOutcome = (typeof webhookAttemptOutcomes)[number]

/** Where a delivery (one event to one endpoint) stands: still being tried, delivered, or given up on. */
export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number]

/** Why an endpoint is disabled: an admin said so, or it kept failing for days. */
export const webhookEndpointDisabledReasons = ['admin', 'failing'] as const
export type WebhookEndpointDisabledReason = (typeof webhookEndpointDisabledReasons)[number]

/** An order event as other systems receive it: what the outbox dispatcher publishes and webhooks deliver. */
export interface OrderEvent {
  /** Stable per event ({@link orderEventId}): the same id published twice is delivered once. */
  eventId: string
  type: OrderEventType
  orderId: string
  /** ISO 8601. */
  occurredAt: string
  data: Record<string, unknown>
}

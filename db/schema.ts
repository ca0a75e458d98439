/**
 * The tables of the order engine's database, as kysely sees them.
 * `Generated<T>` columns have a database default; amounts are integer minor units.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely'
import type { FulfilmentParcel, ParcelView } from '../domain/fulfilment.js'
import type {
  Cancellation,
  PaymentState,
  PricedLine,
  ShipmentState,
  ShippingAddress,
  TimelineEntry,
} from '../domain/order-types.js'
import type { NotificationAttemptOutcome, NotificationDeliveryStatus } from '../domain/notifications.js'
import type { AfterSalesRefund, ExchangeState, ReceivedLine, ReturnLine, ReturnReason, ReturnStatus } from '../domain/returns.js'
import type { CodCollectionOutcome, FulfillmentStatus, OrderStatus, PaymentMethod, PaymentStatus } from '../domain/vocabulary.js'
import type {
  OrderEventType,
  WebhookAttemptOutcome,
  WebhookDeliveryStatus,
  WebhookEndpointDisabledReason,
} from '../domain/order-events.js'

type Timestamp = ColumnType<Date, Date | string, Date | string>
type CreatedAt = ColumnType<Date, Date | string | undefined, never>
/** A timestamp with a database default that updates may set. */
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>

export interface ProductsTable {
  sku: string
  name: string
  description: Generated<string>
  active: Generated<boolean>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface ProductPricesTable {
  sku: string
  currency: string
  unit_amount: number
}

export interface ShippingRatesTable {
  currency: string
  flat_amount: number
  free_from_amount: number | null
}

/** Where stock is held. `default` holds the stock that existed before locations did. */
export interface StockLocationsTable {
  id: string
  name: string
  /** ISO 3166-1 alpha-2; `ZZ` (unknown) for the default location until an admin sets it. */
  country: string
  created_at: CreatedAt
  updated_at: UpdatedAt
}

/** One product's stock at one location. */
export interface StockLevelsTable {
  sku: string
  /** `default` when not given. */
  location_id: Generated<string>
  on_hand: number
  reserved: Generated<number>
  updated_at: UpdatedAt
}

export type ReservationState = 'reserved' | 'released' | 'committed' | 'restocked'

/** An order's units of one SKU in one parcel, held at one location. */
export interface StockReservationsTable {
  order_id: string
  sku: string
  quantity: number
  state: ReservationState
  /** `default` on reservations made before locations existed. */
  location_id: Generated<string>
  /** The parcel of the order's fulfilment plan; null on reservations made before plans existed (one parcel). */
  parcel: number | null
  /** Units of a committed reservation that came back from returns (restocked or written off). */
  returned: Generated<number>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

/** The fulfilment plan a reservation (revision 0) or an order edit (revision n) made. */
export interface StockFulfilmentPlansTable {
  order_id: string
  revision: number
  plan: JSONColumnType<FulfilmentParcel[]>
  created_at: CreatedAt
}

/** Returned units of one SKU from one parcel: back on the location's shelf when resellable, else written off. */
export interface StockReturnsTable {
  return_id: string
  order_id: string
  sku: string
  location_id: string
  parcel: number | null
  quantity: number
  resellable: boolean
  created_at: CreatedAt
}

/** What each return did to stock, once per return. */
export interface StockReturnReceiptsTable {
  return_id: string
  order_id: string
  restocked: number
  written_off: number
  created_at: CreatedAt
}

export interface OrdersTable {
  id: string
  customer_id: string
  status: OrderStatus
  payment_status: PaymentStatus
  fulfillment_status: FulfillmentStatus
  payment_method: PaymentMethod
  currency: string
  subtotal: number
  shipping: number
  total: number
  lines: JSONColumnType<PricedLine[]>
  shipping_address: JSONColumnType<ShippingAddress>
  payment: JSONColumnType<PaymentState>
  shipment: JSONColumnType<ShipmentState | null, string | null, string | null>
  /** The order's parcels; `[]` on orders saved before parcels existed. */
  shipments: ColumnType<ParcelView[], string | undefined, string>
  cancellation: JSONColumnType<Cancellation | null, string | null, string | null>
  cod_confirmation_deadline: Timestamp | null
  /** Where the customer's mails go: `contactEmail` at placement, else the token's `email` claim; null when neither. */
  contact_email: ColumnType<string | null, string | null | undefined, string | null>
  /** The customer's language (a BCP 47 tag), when known; mails are in English otherwise. */
  contact_language: ColumnType<string | null, string | null | undefined, string | null>
  version: number
  created_at: Timestamp
  updated_at: Timestamp
}

export interface OrderTimelineTable {
  order_id: string
  seq: number
  occurred_at: Timestamp
  actor_type: string
  actor_id: string | null
  type: string
  message: string
  data: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
}

export interface ShipmentsTable {
  tracking_number: string
  order_id: string
  carrier: string
  label_id: string
  /** The parcel of the order the label is for; null on labels bought before parcels existed. */
  parcel: ColumnType<number | null, number | null | undefined, number | null>
  created_at: CreatedAt
}

export interface NotificationOutboxTable {
  id: Generated<number>
  order_id: string
  customer_id: string
  kind: string
  /** 1 for the first notification of its kind for the order, 2 for the second (a second partial refund) … */
  occurrence: Generated<number>
  payload: JSONColumnType<Record<string, unknown>>
  created_at: CreatedAt
  /** When every channel was done with it (delivered, skipped or failed for good). */
  sent_at: Timestamp | null
  /** When the dispatcher handed it to its delivery workflow; null until then (rows written before it existed too). */
  dispatched_at: ColumnType<Date | null, never, Date | string | null>
  /** When the customer marked it read in the inbox. */
  read_at: ColumnType<Date | null, never, Date | string | null>
}

/** Where one notification stands on one channel. */
export interface NotificationDeliveriesTable {
  outbox_id: number
  channel: string
  status: Generated<NotificationDeliveryStatus>
  attempts: Generated<number>
  last_error: string | null
  /** When staff were told (a timeline entry) that this delivery keeps failing. */
  flagged_at: Timestamp | null
  delivered_at: Timestamp | null
  updated_at: UpdatedAt
}

/** Every attempt to deliver a notification on a channel; `started` until it finished (forever, if its worker died). */
export interface NotificationAttemptsTable {
  id: Generated<number>
  outbox_id: number
  order_id: string
  channel: string
  attempt: number
  outcome: Generated<NotificationAttemptOutcome>
  error: string | null
  started_at: CreatedAt
  finished_at: Timestamp | null
}

export interface IdempotencyKeysTable {
  principal: string
  key: string
  request_hash: string
  /** The order a placement key decides; null for keys of other requests (stock adjustments). */
  order_id: string | null
  /** Null while the first request is still being answered. */
  response_status: number | null
  response_body: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
  /** While the first request is in flight: until when it holds the key. Past it, a retry may take the key over. */
  locked_until: Timestamp | null
  created_at: CreatedAt
}

export type CatalogAuditAction = 'product_created' | 'product_updated' | 'stock_adjusted'

/** Append-only (a trigger refuses updates and deletes): who changed what in the catalog, when, and why. */
export interface CatalogAuditTable {
  id: Generated<number>
  sku: string
  action: CatalogAuditAction
  /** The caller, as `role:subject`. */
  actor: string
  reason: string | null
  idempotency_key: string | null
  before: JSONColumnType<Record<string, unknown> | null, string | null, never>
  after: JSONColumnType<Record<string, unknown>, string, never>
  occurred_at: CreatedAt
}

export interface SandboxPaymentsTable {
  id: string
  order_id: string
  currency: string
  authorized_amount: number
  captured_amount: Generated<number>
  refunded_amount: Generated<number>
  status: 'authorized' | 'captured' | 'voided' | 'refunded' | 'partially_refunded'
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface SandboxPaymentRequestsTable {
  idempotency_key: string
  operation: string
  response: JSONColumnType<Record<string, unknown>>
  created_at: CreatedAt
}

export interface SimulatedParcelsTable {
  tracking_number: string
  order_id: string
  label_id: string
  status: string
  /** The address the label was bought for; null on labels bought before it was kept. */
  ship_to: JSONColumnType<ShippingAddress | null, string | null, string | null>
  events_sent: Generated<number>
  cancelled_at: Timestamp | null
  next_event_at: Timestamp
  created_at: CreatedAt
}

/** Request counts of the API's rate limits, one row per bucket and caller (unlogged). */
export interface ApiRateLimitsTable {
  bucket: string
  caller: string
  window_start: Timestamp
  hits: number
}

/** Business counters kept by triggers on `orders` and `order_timeline`, sharded: sum `value` over `shard`. */
export interface OrderMetricCountsTable {
  metric:
    | 'placed'
    | 'confirmed'
    | 'delivered'
    | 'cancelled'
    | 'payment_failed'
    | 'refund'
    | 'refund_failed'
    | 'cod_problem'
    | 'processing_failed'
    | 'notification_failed'
    | 'webhook_delivery'
    | 'webhook_endpoint_disabled'
    | 'return'
    | 'return_written_off'
  /**
   * The payment method for `placed`, the reason for `cancelled` and `refund`, the problem for `cod_problem`,
   * the step for `processing_failed`, the channel for `notification_failed`, the outcome for `webhook_delivery`,
   * `<reason>/<outcome>` for `return` (one per return line), else empty.
   */
  label: string
  shard: number
  value: number
}

export interface PaymentWebhookEventsTable {
  provider: string
  event_id: string
  order_id: string
  type: string
  reference: string
  received_at: CreatedAt
  /** Null until the event has reached the order's workflow (or found it closed). */
  relayed_at: Timestamp | null
  outcome: 'accepted' | 'order_closed' | 'already_settled' | null
}

export interface CodCollectionsTable {
  order_id: string
  currency: string
  expected_amount: number
  /** What the carrier reported collecting; null when it reported nothing. */
  collected_amount: number | null
  outcome: CodCollectionOutcome
  tracking_number: string
  delivered_at: Timestamp
  settled_at: Timestamp | null
  settled_by: string | null
  settled_amount: number | null
  created_at: CreatedAt
}

/** A receiver of order events, registered by an admin. The secrets sign; they are never shown again after they are made. */
export interface WebhookEndpointsTable {
  id: Generated<string>
  url: string
  description: Generated<string>
  event_types: ColumnType<OrderEventType[], OrderEventType[], OrderEventType[]>
  status: Generated<'enabled' | 'disabled'>
  disabled_reason: WebhookEndpointDisabledReason | null
  disabled_at: Timestamp | null
  /** `whsec_` and base64, as Standard Webhooks writes a symmetric secret. */
  secret: string
  /** The secret before the last rotation, still signing beside the new one until it expires. */
  previous_secret: string | null
  previous_secret_expires_at: Timestamp | null
  /** Since when every attempt has failed; null after a success. */
  failing_since: Timestamp | null
  /** Who registered it, as `role:subject`. */
  created_by: string
  created_at: CreatedAt
  updated_at: UpdatedAt
}

/** An order event, once by its stable id (`webhook-id`). */
export interface WebhookEventsTable {
  id: string
  type: OrderEventType
  order_id: string
  occurred_at: Timestamp
  data: JSONColumnType<Record<string, unknown>>
  recorded_at: CreatedAt
}

/** One event to one endpoint; `runs` counts the delivery workflow runs (1 + manual redeliveries). */
export interface WebhookDeliveriesTable {
  id: Generated<string>
  event_id: string
  endpoint_id: string
  status: Generated<WebhookDeliveryStatus>
  runs: Generated<number>
  run_started_at: Generated<Date>
  created_at: CreatedAt
  finished_at: Timestamp | null
}

/** Every attempt of a delivery, numbered from 1 across its runs. */
export interface WebhookDeliveryAttemptsTable {
  delivery_id: string
  attempt: number
  run: number
  attempted_at: Timestamp
  outcome: WebhookAttemptOutcome
  status_code: number | null
  latency_ms: number
  error: string | null
}

/** An order's after-sales workflow as its read model writes it; `version` guards every after-sales write. */
export interface AfterSalesTable {
  order_id: string
  customer_id: string
  currency: string
  refunds: JSONColumnType<AfterSalesRefund[]>
  /** Captured less refunded, in minor units. */
  refundable: number
  window_ends_at: Timestamp | null
  closed: boolean
  version: number
  updated_at: UpdatedAt
}

/** A return an order's after-sales workflow keeps, as its read model writes it. */
export interface ReturnsTable {
  id: string
  order_id: string
  customer_id: string
  status: ReturnStatus
  /** The return's reason as a whole: its first line's that is the shop's fault, else its first line's. */
  reason: ReturnReason
  lines: JSONColumnType<ReturnLine[]>
  /** The customer's words when asking. */
  note: string | null
  label_carrier: string | null
  label_tracking_number: string | null
  /** Until when the customer may hand the parcel to the carrier; the return closes by itself after it. */
  ship_by: Timestamp | null
  received: JSONColumnType<ReceivedLine[]>
  /** What the return refunded (cash on delivery: recorded as owed), shipping included, in minor units; null until then. */
  refund_amount: number | null
  refund_shipping: number | null
  currency: string
  /** The replacement lines and their parcel, for an exchange; null when the customer asked for money. */
  exchange: JSONColumnType<ExchangeState | null, string | null, string | null>
  restocked: Generated<number>
  written_off: Generated<number>
  timeline: JSONColumnType<TimelineEntry[]>
  requested_at: Timestamp
  updated_at: Timestamp
  version: number
}

/** Money owed to a cash-on-delivery customer; an admin settles it outside the system (a bank transfer). */
export interface CodRefundsOwedTable {
  order_id: string
  /** `cod-refund-<n>` within the order. */
  id: string
  return_id: string | null
  currency: string
  amount: number
  owed_since: Timestamp
  settled_at: Timestamp | null
  /** Who settled it, as `role:subject`. */
  settled_by: string | null
  /** The bank transfer's reference. */
  reference: string | null
}

export interface Database {
  products: ProductsTable
  product_prices: ProductPricesTable
  shipping_rates: ShippingRatesTable
  stock_locations: StockLocationsTable
  stock_levels: StockLevelsTable
  stock_reservations: StockReservationsTable
  stock_fulfilment_plans: StockFulfilmentPlansTable
  stock_returns: StockReturnsTable
  stock_return_receipts: StockReturnReceiptsTable
  orders: OrdersTable
  order_timeline: OrderTimelineTable
  shipments: ShipmentsTable
  notification_outbox: NotificationOutboxTable
  notification_deliveries: NotificationDeliveriesTable
  notification_attempts: NotificationAttemptsTable
  idempotency_keys: IdempotencyKeysTable
  catalog_audit: CatalogAuditTable
  sandbox_payments: SandboxPaymentsTable
  sandbox_payment_requests: SandboxPaymentRequestsTable
  simulated_parcels: SimulatedParcelsTable
  api_rate_limits: ApiRateLimitsTable
  order_metric_counts: OrderMetricCountsTable
  payment_webhook_events: PaymentWebhookEventsTable
  cod_collections: CodCollectionsTable
  webhook_endpoints: WebhookEndpointsTable
  webhook_events: WebhookEventsTable
  webhook_deliveries: WebhookDeliveriesTable
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable
  after_sales: AfterSalesTable
  returns: ReturnsTable
  cod_refunds_owed: CodRefundsOwedTable
}

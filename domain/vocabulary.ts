/**
 * The order's closed sets, written once. Each is a `const` array, and its
 * type is derived from it, so the workflow, the activities, the API's
 * schemas, the metrics' labels, the read model's column types and the CLI
 * all speak the same words, and a new word is added in one place.
 *
 * @example
 * ```ts
 * z.enum(orderStatuses) // an API schema
 * const status: OrderStatus = 'CONFIRMED'
 * ```
 *
 * Nothing here imports anything: it is the ground floor of the code.
 */

/** The order's top-level lifecycle. */
export const orderStatuses = [
  'PENDING',
  'AWAITING_CONFIRMATION',
  'CONFIRMED',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'RETURNED',
] as const
export type OrderStatus = (typeof orderStatuses)[number]

/** Where the money is, named as Stripe and Shopify users know it. */
export const paymentStatuses = [
  'PENDING',
  'ACTION_REQUIRED',
  'AUTHORIZED',
  'PAID',
  'PARTIALLY_REFUNDED',
  'VOIDED',
  'REFUNDED',
  'FAILED',
] as const
export type PaymentStatus = (typeof paymentStatuses)[number]

/** The carrier's own tracking statuses. */
export const carrierEventStatuses = [
  'LABEL_CREATED',
  'PICKED_UP',
  'IN_TRANSIT',
  'OUT_FOR_DELIVERY',
  'DELIVERED',
  'EXCEPTION',
  'RETURNED_TO_SENDER',
] as const
export type CarrierEventStatus = (typeof carrierEventStatuses)[number]

/**
 * Where the parcel is: the carrier's statuses, plus the states before and after it. An order of several
 * parcels is `PARTIALLY_SHIPPED` while some parcels are handed over and others not yet, and
 * `PARTIALLY_DELIVERED` while some are delivered and others still on their way.
 */
export const fulfillmentStatuses = [
  'UNFULFILLED',
  ...carrierEventStatuses,
  'LABEL_CANCELLED',
  'PARTIALLY_SHIPPED',
  'PARTIALLY_DELIVERED',
] as const
export type FulfillmentStatus = (typeof fulfillmentStatuses)[number]

/** How the customer pays. */
export const paymentMethods = ['card', 'paypal', 'cod'] as const
export type PaymentMethod = (typeof paymentMethods)[number]

/** Who moves the money of an order: chosen once, at placement, from the method and the configuration. */
export const paymentProviderNames = ['sandbox', 'stripe', 'paypal'] as const
export type PaymentProviderName = (typeof paymentProviderNames)[number]

/** Who did something to an order; an `operator` acts through Temporal itself (Web UI, `temporal` CLI). */
export const actorTypes = ['customer', 'admin', 'operator', 'system', 'carrier'] as const
export type ActorType = (typeof actorTypes)[number]

/** Why an order ended up cancelled. */
export const cancellationReasons = [
  'customer_request',
  'admin_request',
  'operator_request',
  'payment_declined',
  'payment_not_completed',
  'authorization_expired',
  'out_of_stock',
  'price_changed',
  'cod_confirmation_expired',
  'processing_failed',
] as const
export type CancellationReason = (typeof cancellationReasons)[number]

/** Why an admin gave money back after capture. */
export const refundReasons = ['returned_items', 'damaged', 'goodwill', 'other'] as const
export type RefundReason = (typeof refundReasons)[number]

/** Why the workflow itself gave money back: the refund metric's labels beyond {@link refundReasons}. */
export const automaticRefundReasons = ['parcel_returned', 'order_cancelled'] as const
export type AutomaticRefundReason = (typeof automaticRefundReasons)[number]

/** What the carrier reported collecting for a cash-on-delivery order. */
export const codCollectionOutcomes = ['collected', 'mismatch', 'not_reported'] as const
export type CodCollectionOutcome = (typeof codCollectionOutcomes)[number]

/** Cash-on-delivery collections staff look into: the `cod_collection_problems_total` labels. */
export const codCollectionProblems = ['collection_mismatch', 'delivery_failed'] as const
export type CodCollectionProblem = (typeof codCollectionProblems)[number]

/**
 * The steps of an order that can fail for good (each an activity), as the
 * `step` of a `processing_failed` timeline entry and of
 * `order_processing_failures_total` name them.
 */
export const processingSteps = [
  'priceOrder',
  'reserveStock',
  'authorizePayment',
  'completeAuthorization',
  'createShipment',
  'commitStock',
  'capturePayment',
  'recordCodCollection',
  'restockReturnedItems',
  'refundPayment',
  'voidPayment',
  'releaseStock',
  'cancelShipment',
  'recordOrder',
  'notifyCustomer',
] as const
export type ProcessingStep = (typeof processingSteps)[number]

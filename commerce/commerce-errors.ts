/**
 * How a use case says no. Each refusal is a class with a `kind`; callers
 * check `instanceof CommerceError` and switch on `kind` (the API's
 * `problem.ts` maps every kind to its problem in one exhaustive table; the
 * CLI prints the message). None of them knows HTTP.
 */
import type { PricingProblem } from '../domain/order-pricing.js'

/** A refusal of a use case: the request cannot be done as asked; nothing was changed. */
export abstract class CommerceError extends Error {
  abstract readonly kind: string
  constructor(message: string) {
    super(message)
    // Each refusal is named for its class (`OrderNotFound`, …) in logs and stack traces.
    this.name = new.target.name
  }
}

/** There is no such order, or it is someone else's: the two read the same. */
export class OrderNotFound extends CommerceError {
  readonly kind = 'order_not_found'
  constructor(readonly orderId: string) {
    super(`There is no order ${orderId}`)
  }
}

/** The order refused the update now (`reason` is the refusal code, `detail` the sentence for people). */
export class OrderUpdateRefused extends CommerceError {
  readonly kind = 'order_update_refused'
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(detail)
  }
}

/** The order did not take an update in time; it may still apply, so a retry with the same key is safe. */
export class OrderUpdateTimedOut extends CommerceError {
  readonly kind = 'order_update_timed_out'
  constructor(readonly waitedMs: number) {
    super(
      `The order did not take the request within ${waitedMs / 1000} s (its worker may be busy or restarting); it may still apply: ` +
        'retry with the same Idempotency-Key, or read the order',
    )
  }
}

/** The Idempotency-Key came with another request before. */
export class IdempotencyKeyReused extends CommerceError {
  readonly kind = 'idempotency_key_reused'
  constructor() {
    super('This Idempotency-Key was already used with a different request')
  }
}

/** The first request with the Idempotency-Key is still running (or the key is contended). */
export class IdempotencyKeyInFlight extends CommerceError {
  readonly kind = 'idempotency_key_in_flight'
  constructor(readonly contended: boolean) {
    super(
      contended
        ? 'This Idempotency-Key is contended; retry in a moment'
        : 'The first request with this Idempotency-Key is still being processed; retry in a moment to get its answer',
    )
  }
}

/** The caller sent more of these requests than their budget allows in the current window; nothing was done. */
export class RequestRateLimited extends CommerceError {
  readonly kind = 'request_rate_limited'
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    /** Seconds until the window ends (at least 1). */
    readonly retryAfterSeconds: number,
  ) {
    super(RequestRateLimited.detail(limit, windowMs, retryAfterSeconds))
  }

  /** The sentence every 429 says, whoever counted the request. */
  static detail(limit: number, windowMs: number, retryAfterSeconds: number): string {
    return `At most ${limit} requests per ${windowMs / 1000} s are allowed here; retry in ${retryAfterSeconds} s`
  }
}

/** The catalog cannot price the order as asked: unknown or unavailable SKUs, a currency not sold. */
export class OrderNotPriceable extends CommerceError {
  readonly kind = 'order_not_priceable'
  constructor(readonly problems: readonly PricingProblem[]) {
    super('The order cannot be priced')
  }
}

/** The store does not accept this payment method (PayPal without PayPal credentials). */
export class PaymentMethodUnavailable extends CommerceError {
  readonly kind = 'payment_method_unavailable'
  constructor(readonly method: 'paypal') {
    super('PayPal is not configured on this store')
  }
}

/** The customer came back from the provider, but the payment waits for nobody. */
export class PaymentNotAwaitingCustomer extends CommerceError {
  readonly kind = 'payment_not_awaiting_customer'
  constructor(readonly paymentStatus: string) {
    super(`The payment is ${paymentStatus.toLowerCase()}`)
  }
}

/** No shipment of ours has this tracking number. */
export class UnknownTrackingNumber extends CommerceError {
  readonly kind = 'unknown_tracking_number'
  constructor(readonly trackingNumber: string) {
    super(`No shipment has tracking number ${trackingNumber}`)
  }
}

/** There is no product with this SKU. */
export class ProductNotFound extends CommerceError {
  readonly kind = 'product_not_found'
  constructor(readonly sku: string) {
    super(`There is no product ${sku}`)
  }
}

/** There is no stock location with this id. */
export class StockLocationNotFound extends CommerceError {
  readonly kind = 'stock_location_not_found'
  constructor(readonly locationId: string) {
    super(`There is no stock location ${locationId}; create it with PUT /v1/stock-locations/${locationId}`)
  }
}

/** A stock adjustment would leave less on hand than open orders have reserved. */
export class StockBelowReserved extends CommerceError {
  readonly kind = 'stock_below_reserved'
  constructor(
    readonly onHand: number,
    readonly reserved: number,
  ) {
    super(
      reserved > 0
        ? `would leave ${onHand} on hand, but ${reserved} are reserved by open orders`
        : `would leave ${onHand} on hand`,
    )
  }
}

/** A stock adjustment would put more on hand than the stock table holds. */
export class StockAboveMaximum extends CommerceError {
  readonly kind = 'stock_above_maximum'
  constructor(readonly maximum: number) {
    super(`would put more than ${maximum} on hand`)
  }
}

/** There is no such notification, or it is someone else's: the two read the same. */
export class NotificationNotFound extends CommerceError {
  readonly kind = 'notification_not_found'
  constructor(readonly notificationId: string) {
    super(`You have no notification ${notificationId}`)
  }
}

/** There is no webhook endpoint with this id. */
export class WebhookEndpointNotFound extends CommerceError {
  readonly kind = 'webhook_endpoint_not_found'
  constructor(readonly endpointId: string) {
    super(`There is no webhook endpoint ${endpointId}`)
  }
}

/** The endpoint has no delivery with this id. */
export class WebhookDeliveryNotFound extends CommerceError {
  readonly kind = 'webhook_delivery_not_found'
  constructor(readonly deliveryId: string) {
    super(`This endpoint has no delivery ${deliveryId}`)
  }
}

/** A webhook URL the target rules refuse (not https in production, a private address, credentials in it). */
export class WebhookUrlRefused extends CommerceError {
  readonly kind = 'webhook_url_refused'
  constructor(readonly reason: string) {
    super(`url: ${reason}`)
  }
}

/** The delivery is still being tried: a redelivery waits until its run has ended. */
export class WebhookDeliveryInProgress extends CommerceError {
  readonly kind = 'webhook_delivery_in_progress'
  constructor(readonly deliveryId: string) {
    super(`Delivery ${deliveryId} is still being tried; redeliver it once it is delivered or given up on`)
  }
}

/** There is no such return, or it belongs to someone else's order: the two read the same. */
export class ReturnNotFound extends CommerceError {
  readonly kind = 'return_not_found'
  constructor(readonly returnId: string) {
    super(`There is no return ${returnId}`)
  }
}

/** The order owes no cash-on-delivery refund with this id. */
export class CodRefundNotFound extends CommerceError {
  readonly kind = 'cod_refund_not_found'
  constructor(readonly refundId: string) {
    super(`This order owes no cash-on-delivery refund ${refundId}`)
  }
}

/** Every refusal a use case may answer with. */
export type CommerceRefusal =
  | OrderNotFound
  | OrderUpdateRefused
  | OrderUpdateTimedOut
  | IdempotencyKeyReused
  | IdempotencyKeyInFlight
  | RequestRateLimited
  | OrderNotPriceable
  | PaymentMethodUnavailable
  | PaymentNotAwaitingCustomer
  | UnknownTrackingNumber
  | ProductNotFound
  | StockLocationNotFound
  | StockBelowReserved
  | StockAboveMaximum
  | NotificationNotFound
  | WebhookEndpointNotFound
  | WebhookDeliveryNotFound
  | WebhookUrlRefused
  | WebhookDeliveryInProgress
  | ReturnNotFound
  | CodRefundNotFound

export type CommerceRefusalKind = CommerceRefusal['kind']

import type { Money } from '../../workflows/order-types.js'

/**
 * What every payment provider (the sandbox, Stripe, PayPal) does for an order.
 * Every call carries an idempotency key derived from the order id and the
 * step, so a retry after a lost response never charges twice.
 */
export interface PaymentProvider {
  readonly name: string
  /** Holds the amount on the customer's payment method. Throws {@link PaymentDeclinedError} on a decline. */
  authorize(request: AuthorizeRequest): Promise<PaymentResult>
  /** Takes the authorized money. */
  capture(request: PaymentActionRequest & { amount: Money }): Promise<PaymentResult>
  /** Releases an authorization that was never captured. */
  void(request: PaymentActionRequest): Promise<PaymentResult>
  /** Gives captured money back. */
  refund(request: PaymentActionRequest & { amount: Money }): Promise<PaymentResult>
}

export interface AuthorizeRequest {
  idempotencyKey: string
  orderId: string
  amount: Money
  token: string
}

export interface PaymentActionRequest {
  idempotencyKey: string
  orderId: string
  reference: string
}

export interface PaymentResult {
  reference: string
  amount: number
}

/** A refusal by the customer's bank or the provider; retrying will not change it. */
export class PaymentDeclinedError extends Error {
  constructor(
    readonly declineCode: string,
    message: string,
  ) {
    super(message)
    this.name = 'PaymentDeclinedError'
  }
}

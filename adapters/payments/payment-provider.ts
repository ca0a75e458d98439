import type { Money } from '../../domain/order-types.js'
import type { PaymentProviderName } from '../../domain/vocabulary.js'

/**
 * What every payment provider (the sandbox, Stripe, PayPal) does for an order.
 * Every mutating call carries an idempotency key derived from the order id and
 * the step, so a retry after a lost response never charges twice.
 *
 * Authorization may finish at once (`authorized`) or need the customer first
 * (3-D Secure, a PayPal approval): then it is `pending`, and the outcome is
 * read back with {@link PaymentProvider.completeAuthorization} once a webhook
 * or the customer's return says something happened. A provider configured to
 * take the money as soon as the customer approves (PayPal with intent
 * CAPTURE) completes with `captured`: nothing is left to capture at hand-over,
 * and giving the money back is a refund, not a void.
 */
export interface PaymentProvider {
  readonly name: PaymentProviderName
  /** Starts holding the amount. Throws {@link PaymentDeclinedError} on a decline. */
  authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome>
  /**
   * Reads where a pending authorization stands now and, where the provider
   * needs a call to turn an approval into a hold or a payment (PayPal), makes it.
   * Throws {@link PaymentDeclinedError} when the customer failed or gave up.
   */
  completeAuthorization(request: PaymentActionRequest & { amount: Money }): Promise<AuthorizationOutcome>
  /**
   * Takes authorized money: all of it, or, where the provider allows several captures of one authorization (the
   * sandbox, PayPal), a part with `finalCapture: false`, the rest staying held for the next one. A final capture
   * (the default) releases whatever it leaves uncaptured.
   */
  capture(request: PaymentActionRequest & { amount: Money; finalCapture?: boolean }): Promise<PaymentResult>
  /** Releases an authorization that was never captured; releasing twice is not an error. */
  void(request: PaymentActionRequest): Promise<PaymentResult>
  /**
   * Gives captured money back, all of it or part. Throws {@link RefundRefusedError}
   * when the provider will not (refunded already, say from its dashboard; disputed).
   */
  refund(request: PaymentActionRequest & { amount: Money }): Promise<PaymentResult>
}

export interface AuthorizeRequest {
  idempotencyKey: string
  orderId: string
  amount: Money
  /** A card token or payment method id for cards; unused by PayPal, where the customer approves instead. */
  token: string | null
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

/**
 * Where an authorization stands: the money is held (`authorized`), already
 * taken (`captured`, only from {@link PaymentProvider.completeAuthorization}
 * of a provider that captures on approval), or the provider waits for the
 * customer (`pending`). `amount` is what is held or taken, in minor units.
 * Only references and amounts: never a client secret or a link, which the
 * API fetches from the provider when it answers.
 */
export type AuthorizationOutcome = { status: 'authorized' | 'captured' | 'pending'; reference: string; amount: number }

/** A refusal by the customer's bank, the provider or the customer; retrying will not change it. */
export class PaymentDeclinedError extends Error {
  constructor(
    readonly declineCode: string,
    message: string,
  ) {
    super(message)
    this.name = 'PaymentDeclinedError'
  }
}

/** The provider will not refund this, and asking again will not change it: refunded already elsewhere, disputed, too old. */
export class RefundRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'RefundRefusedError'
  }
}

import {
  ApiError,
  AuthorizationStatus,
  CaptureStatus,
  CheckoutPaymentIntent,
  type Order,
  OrderStatus,
  PaypalExperienceUserAction,
} from '@paypal/paypal-server-sdk'
import type { Money } from '../../domain/order-types.js'
import type { PayPalApi } from './paypal-api.js'
import {
  type AuthorizationOutcome,
  type PaymentProvider,
  type PaymentResult,
  PaymentDeclinedError,
  RefundRefusedError,
} from './payment-provider.js'

/** When PayPal takes the buyer's money: at hand-over, after an authorization, or as soon as the buyer approves. */
export type PayPalIntent = 'AUTHORIZE' | 'CAPTURE'

export interface PayPalPaymentProviderProps {
  paypal: PayPalApi
  /**
   * The intent of the PayPal orders this provider creates. `AUTHORIZE` (the
   * default): the approval becomes a hold, captured at hand-over. `CAPTURE`:
   * the approval is captured at once, and cancelling before hand-over refunds.
   * An order already created keeps the intent it was created with.
   */
  intent?: PayPalIntent
  /** Where PayPal sends the customer after approving, and after giving up. */
  returnUrl?: string | null
  cancelUrl?: string | null
}

/** How many digits after the point a currency has (JPY 0, USD 2, KWD 3). */
function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
}

/** Minor units to PayPal's decimal string: 1250 USD → "12.50". */
export function paypalValue(money: Money): { currencyCode: string; value: string } {
  const digits = fractionDigits(money.currency)
  return { currencyCode: money.currency, value: (money.amount / 10 ** digits).toFixed(digits) }
}

/** PayPal's decimal string back to minor units: "12.50" USD → 1250. */
export function minorUnits(value: string | undefined, currency: string): number {
  return Math.round(Number(value ?? '0') * 10 ** fractionDigits(currency))
}

/** The first issue of PayPal's 422 Unprocessable Entity answer, else null: PayPal's "no" to a valid request. */
function unprocessableIssue(error: unknown): { issue: string; description: string } | null {
  if (!(error instanceof ApiError) || error.statusCode !== 422) return null
  const body = (typeof error.body === 'string' ? safeJson(error.body) : null) as {
    details?: Array<{ issue?: string; description?: string }>
  } | null
  const issue = body?.details?.[0]
  return issue?.issue ? { issue: issue.issue, description: issue.description ?? issue.issue } : null
}

/** PayPal's refusal of the buyer's funding (422 with an issue such as INSTRUMENT_DECLINED), else null. */
function declineOf(error: unknown): PaymentDeclinedError | null {
  const issue = unprocessableIssue(error)
  if (!issue || !/DECLINED|DENIED|PAYER_CANNOT_PAY|INSTRUMENT/.test(issue.issue)) return null
  return new PaymentDeclinedError(issue.issue, issue.description)
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/**
 * PayPal Orders v2. The order is created at placement and waits for the
 * buyer's approval (`pending`). With intent AUTHORIZE (the default) the
 * approval is then authorized, captured at hand-over, voided or refunded on
 * cancellation; with intent CAPTURE it is captured at once (`captured`) and
 * refunded on cancellation.
 *
 * The reference is always the PayPal order id: the authorization and
 * capture ids are read from the order when a step needs them, so one
 * reference names the payment from start to end. Every mutating call sends
 * a PayPal-Request-Id derived from our order id and the step.
 *
 * @example
 * ```ts
 * const paypal = createPayPalApi({ clientId, clientSecret, environment: 'sandbox', apiBase: null })
 * const provider = createPayPalPaymentProvider({ paypal, intent: 'CAPTURE', returnUrl, cancelUrl })
 * ```
 */
export function createPayPalPaymentProvider({
  paypal,
  intent = 'AUTHORIZE',
  returnUrl,
  cancelUrl,
}: PayPalPaymentProviderProps): PaymentProvider {
  async function orderOf(reference: string): Promise<Order> {
    return (await paypal.orders.getOrder({ id: reference })).result
  }

  function paymentsOf(order: Order) {
    const payments = order.purchaseUnits?.[0]?.payments
    return { authorization: payments?.authorizations?.[0] ?? null, capture: payments?.captures?.[0] ?? null }
  }

  function authorized(order: Order, reference: string): AuthorizationOutcome {
    const { authorization } = paymentsOf(order)
    if (!authorization) throw new Error(`PayPal order ${reference} is completed without an authorization`)
    if (authorization.status === AuthorizationStatus.Denied) {
      throw new PaymentDeclinedError('AUTHORIZATION_DENIED', 'PayPal denied the authorization.')
    }
    if (authorization.status === AuthorizationStatus.Voided)
      throw new PaymentDeclinedError('VOIDED', 'The authorization was voided.')
    const currency = authorization.amount?.currencyCode ?? 'USD'
    return { status: 'authorized', reference, amount: minorUnits(authorization.amount?.value, currency) }
  }

  /**
   * The outcome of an order captured on approval, read from its capture. A
   * PENDING capture (PayPal still reviewing it) counts as captured, as a
   * capture at hand-over does.
   */
  function captured(order: Order, reference: string): AuthorizationOutcome {
    const { capture } = paymentsOf(order)
    if (!capture) throw new Error(`PayPal order ${reference} is completed without a capture`)
    switch (capture.status) {
      case CaptureStatus.Declined:
      case CaptureStatus.Failed:
        throw new PaymentDeclinedError(`CAPTURE_${capture.status}`, 'PayPal declined the payment.')
      case CaptureStatus.Completed:
      case CaptureStatus.Pending:
      case CaptureStatus.PartiallyRefunded:
      case CaptureStatus.Refunded: {
        const currency = capture.amount?.currencyCode ?? 'USD'
        return { status: 'captured', reference, amount: minorUnits(capture.amount?.value, currency) }
      }
      case undefined:
        break
    }
    throw new Error(`PayPal order ${reference} has a capture without a known status`)
  }

  return {
    name: 'paypal',

    async authorize({ idempotencyKey, orderId, amount }) {
      const { result } = await paypal.orders.createOrder({
        paypalRequestId: idempotencyKey,
        prefer: 'return=representation',
        body: {
          intent: intent === 'CAPTURE' ? CheckoutPaymentIntent.Capture : CheckoutPaymentIntent.Authorize,
          purchaseUnits: [{ referenceId: orderId, customId: orderId, amount: paypalValue(amount) }],
          paymentSource: {
            paypal: {
              experienceContext: {
                userAction: PaypalExperienceUserAction.PayNow,
                ...(returnUrl ? { returnUrl } : {}),
                ...(cancelUrl ? { cancelUrl } : {}),
              },
            },
          },
        },
      })
      if (!result.id) throw new Error('PayPal created an order without an id')
      return { status: 'pending', reference: result.id, amount: amount.amount }
    },

    async completeAuthorization({ idempotencyKey, reference }) {
      const order = await orderOf(reference)
      // The order's own intent, not the configured one: an order created before a change of PAYPAL_INTENT keeps its own.
      const capturesOnApproval = order.intent === CheckoutPaymentIntent.Capture
      switch (order.status) {
        case OrderStatus.Approved:
          try {
            const request = { id: reference, paypalRequestId: idempotencyKey, prefer: 'return=representation' }
            return capturesOnApproval
              ? captured((await paypal.orders.captureOrder(request)).result, reference)
              : authorized((await paypal.orders.authorizeOrder(request)).result as Order, reference)
          } catch (error) {
            throw declineOf(error) ?? error
          }
        case OrderStatus.Completed:
          // Done before, its answer lost: read back, never authorized or captured twice.
          return capturesOnApproval ? captured(order, reference) : authorized(order, reference)
        case OrderStatus.Voided:
          throw new PaymentDeclinedError('VOIDED', 'The PayPal order was voided.')
        default:
          return { status: 'pending', reference, amount: 0 }
      }
    },

    async capture({ idempotencyKey, reference, amount, finalCapture = true }): Promise<PaymentResult> {
      const { authorization } = paymentsOf(await orderOf(reference))
      if (!authorization?.id) throw new Error(`PayPal order ${reference} has no authorization to capture`)
      const { result } = await paypal.payments.captureAuthorizedPayment({
        authorizationId: authorization.id,
        paypalRequestId: idempotencyKey,
        prefer: 'return=representation',
        body: { amount: paypalValue(amount), finalCapture },
      })
      return { reference: result.id ?? reference, amount: minorUnits(result.amount?.value, amount.currency) }
    },

    async void({ idempotencyKey, reference }): Promise<PaymentResult> {
      const order = await orderOf(reference)
      const { authorization, capture } = paymentsOf(order)
      // Captured on approval: the money is taken, and saying "nothing held" would keep it. That is a refund's job.
      if (!authorization && (capture?.status === CaptureStatus.Completed || capture?.status === CaptureStatus.Pending)) {
        throw new Error(`PayPal order ${reference} was captured on approval; it needs a refund, not a void`)
      }
      // Never approved, or its capture declined: nothing is held, and PayPal lets the order lapse by itself.
      if (!authorization?.id || authorization.status === AuthorizationStatus.Voided) return { reference, amount: 0 }
      await paypal.payments.voidPayment({ authorizationId: authorization.id, paypalRequestId: idempotencyKey })
      const currency = authorization.amount?.currencyCode ?? 'USD'
      return { reference, amount: minorUnits(authorization.amount?.value, currency) }
    },

    async refund({ idempotencyKey, reference, amount }): Promise<PaymentResult> {
      const { capture } = paymentsOf(await orderOf(reference))
      if (!capture?.id) throw new Error(`PayPal order ${reference} has no capture to refund`)
      try {
        const { result } = await paypal.payments.refundCapturedPayment({
          captureId: capture.id,
          paypalRequestId: idempotencyKey,
          prefer: 'return=representation',
          body: { amount: paypalValue(amount) },
        })
        return { reference: result.id ?? reference, amount: minorUnits(result.amount?.value, amount.currency) }
      } catch (error) {
        // 422: CAPTURE_FULLY_REFUNDED, REFUND_AMOUNT_EXCEEDED, REFUND_TIME_LIMIT_EXCEEDED … will not change.
        const issue = unprocessableIssue(error)
        if (issue) throw new RefundRefusedError(issue.issue, issue.description)
        throw error
      }
    },
  }
}

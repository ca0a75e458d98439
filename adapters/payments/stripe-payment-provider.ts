import Stripe from 'stripe'
import {
  type AuthorizationOutcome,
  type PaymentProvider,
  type PaymentResult,
  PaymentDeclinedError,
  RefundRefusedError,
} from './payment-provider.js'

export interface StripePaymentProviderProps {
  stripe: Stripe
}

/** Where a PaymentIntent stands, in the words of our provider interface. */
export function authorizationOutcomeOf(intent: Stripe.PaymentIntent): AuthorizationOutcome {
  switch (intent.status) {
    case 'requires_capture':
    case 'succeeded':
      return { status: 'authorized', reference: intent.id, amount: intent.amount_capturable || intent.amount }
    case 'requires_payment_method': {
      const failure = intent.last_payment_error
      throw new PaymentDeclinedError(
        failure?.decline_code ?? failure?.code ?? 'payment_failed',
        failure?.message ?? 'The customer did not complete the payment.',
      )
    }
    case 'canceled':
      throw new PaymentDeclinedError(intent.cancellation_reason ?? 'canceled', 'The payment was cancelled.')
    default:
      // requires_action, requires_confirmation, processing: the customer or the bank has yet to answer.
      return { status: 'pending', reference: intent.id, amount: intent.amount }
  }
}

/**
 * The PaymentMethod to confirm with. Clients send a PaymentMethod id
 * (`pm_...`, from Stripe.js); Stripe's test card tokens (`tok_visa`), which the
 * sandbox also understands, name Stripe's matching test PaymentMethods (`pm_card_visa`).
 */
export function paymentMethodOf(token: string): string {
  return token.startsWith('tok_') ? `pm_card_${token.slice('tok_'.length)}` : token
}

/** A card decline is the customer's bank saying no: a business outcome, never retried. */
function declineOf(error: unknown): PaymentDeclinedError | null {
  if (!(error instanceof Stripe.errors.StripeCardError)) return null
  return new PaymentDeclinedError(error.decline_code ?? error.code ?? 'card_declined', error.message)
}

/**
 * Card payments through Stripe PaymentIntents with manual capture: authorize
 * at placement (3-D Secure may leave it `pending` until the customer acts),
 * capture at hand-over, cancel before capture, refund after.
 *
 * Every mutating call sends our idempotency key, so Stripe answers a retry
 * with the first response instead of creating a second PaymentIntent,
 * capture or refund. Declines throw {@link PaymentDeclinedError}; anything
 * else (network faults, 5xx, 429) is thrown as is, for Temporal to retry.
 */
export function createStripePaymentProvider({ stripe }: StripePaymentProviderProps): PaymentProvider {
  async function orDecline<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw declineOf(error) ?? error
    }
  }

  return {
    name: 'stripe',

    authorize: ({ idempotencyKey, orderId, amount, token }) =>
      orDecline(async () => {
        const method = paymentMethodOf(token ?? '')
        const intent = await stripe.paymentIntents.create(
          {
            amount: amount.amount,
            currency: amount.currency.toLowerCase(),
            capture_method: 'manual',
            confirm: true,
            // Confirmed server-side with no return URL: methods that redirect are left out, 3-D Secure is not.
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            payment_method: method,
            metadata: { order_id: orderId },
            description: `Order ${orderId}`,
          },
          { idempotencyKey },
        )
        return authorizationOutcomeOf(intent)
      }),

    async completeAuthorization({ reference }) {
      return authorizationOutcomeOf(await stripe.paymentIntents.retrieve(reference))
    },

    async capture({ idempotencyKey, reference, amount }): Promise<PaymentResult> {
      const intent = await stripe.paymentIntents.capture(reference, { amount_to_capture: amount.amount }, { idempotencyKey })
      return { reference: intent.id, amount: intent.amount_received }
    },

    async void({ idempotencyKey, reference }): Promise<PaymentResult> {
      try {
        const intent = await stripe.paymentIntents.cancel(reference, {}, { idempotencyKey })
        return { reference: intent.id, amount: intent.amount }
      } catch (error) {
        // Cancelled already (by the customer's bank, an expiry or an earlier void under another key): nothing is held.
        if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error
        const intent = await stripe.paymentIntents.retrieve(reference)
        if (intent.status !== 'canceled') throw error
        return { reference: intent.id, amount: intent.amount }
      }
    },

    async refund({ idempotencyKey, reference, amount }): Promise<PaymentResult> {
      try {
        const refund = await stripe.refunds.create({ payment_intent: reference, amount: amount.amount }, { idempotencyKey })
        return { reference: refund.id, amount: refund.amount }
      } catch (error) {
        // A 400 about the refund itself (charge_already_refunded, amount_too_large, charge_disputed) will not change.
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          throw new RefundRefusedError(error.code ?? 'refund_refused', error.message)
        }
        throw error
      }
    },
  }
}

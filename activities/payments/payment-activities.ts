import type { Money } from '../../domain/order-types.js'
import type { PaymentProviderName } from '../../domain/vocabulary.js'
import { businessRefusal } from '../business-refusal.js'
import { type PaymentProvider, PaymentDeclinedError, RefundRefusedError } from '../../adapters/payments/payment-provider.js'

export interface PaymentDeps {
  /** The provider of orders that name none: the sandbox unless a test says otherwise. */
  payments: PaymentProvider
  /** The other configured providers, found by name (`stripe`, `paypal`). */
  paymentProviders?: readonly PaymentProvider[]
}

/** The steps of a payment that change money, each with its own idempotency key. */
export type PaymentStep = 'authorize' | 'complete' | 'capture' | 'void' | 'refund'

/**
 * The idempotency key of one payment step of one order: never random, never per run.
 * A second refund of the same order is step `refund` number 2, and so on.
 */
export function paymentIdempotencyKey(orderId: string, step: PaymentStep, sequence = 1): string {
  return sequence === 1 ? `order-${orderId}-${step}` : `order-${orderId}-${step}-${sequence}`
}

/** Runs a provider call; a decline becomes a non-retryable business refusal carrying the decline code. */
async function refusingDeclines<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof PaymentDeclinedError) throw businessRefusal('PaymentDeclined', error.message, error.declineCode)
    throw error
  }
}

interface ProviderChoice {
  orderId: string
  /** The order's provider; the default provider when omitted. */
  provider?: PaymentProviderName | null
}

export function createPaymentActivities({ payments, paymentProviders = [] }: PaymentDeps) {
  const byName = new Map<string, PaymentProvider>([[payments.name, payments]])
  for (const provider of paymentProviders) byName.set(provider.name, provider)

  /** The order's provider. A missing one is a deployment fault, retried until the worker is configured. */
  function providerOf({ provider }: ProviderChoice): PaymentProvider {
    const found = provider ? byName.get(provider) : payments
    if (!found) throw new Error(`payment provider ${provider} is not configured on this worker`)
    return found
  }

  return {
    /**
     * Authorizes the order total, or starts a flow the customer must complete; a decline is a business refusal.
     * `authorizationNumber` (1 when omitted) keeps each later authorization (an edit's, for what it adds) its own key.
     */
    async authorizePayment(input: ProviderChoice & { amount: Money; token?: string | null; authorizationNumber?: number }) {
      const provider = providerOf(input)
      const outcome = await refusingDeclines(() =>
        provider.authorize({
          orderId: input.orderId,
          amount: input.amount,
          token: input.token ?? null,
          idempotencyKey: paymentIdempotencyKey(input.orderId, 'authorize', input.authorizationNumber ?? 1),
        }),
      )
      return { provider: provider.name, ...outcome }
    },

    /** Reads (and, for PayPal, completes) a pending authorization after the customer acted. */
    completeAuthorization: (input: ProviderChoice & { reference: string; amount: Money }) =>
      refusingDeclines(() =>
        providerOf(input).completeAuthorization({
          orderId: input.orderId,
          reference: input.reference,
          amount: input.amount,
          idempotencyKey: paymentIdempotencyKey(input.orderId, 'complete'),
        }),
      ),

    /**
     * Captures `amount`; `captureNumber` (1 when omitted) keeps each of several captures of one authorization (one per
     * parcel) its own key, and `finalCapture: false` keeps the rest held for the next (the default is final).
     */
    capturePayment: (
      input: ProviderChoice & { reference: string; amount: Money; captureNumber?: number; finalCapture?: boolean },
    ) =>
      providerOf(input).capture({
        orderId: input.orderId,
        reference: input.reference,
        amount: input.amount,
        idempotencyKey: paymentIdempotencyKey(input.orderId, 'capture', input.captureNumber ?? 1),
        ...(input.finalCapture === false ? { finalCapture: false } : {}),
      }),

    /** Voids an authorization; `voidNumber` (1 when omitted: the order's own) is the number of the authorization voided. */
    voidPayment: (input: ProviderChoice & { reference: string; voidNumber?: number }) =>
      providerOf(input).void({
        orderId: input.orderId,
        reference: input.reference,
        idempotencyKey: paymentIdempotencyKey(input.orderId, 'void', input.voidNumber ?? 1),
      }),

    /**
     * Refunds `amount`; `refundNumber` (1 when omitted) keeps each of several partial refunds its own key.
     * A refusal the provider will not reconsider is a non-retryable `RefundRefused` carrying its code.
     */
    async refundPayment(input: ProviderChoice & { reference: string; amount: Money; refundNumber?: number }) {
      try {
        return await providerOf(input).refund({
          orderId: input.orderId,
          reference: input.reference,
          amount: input.amount,
          idempotencyKey: paymentIdempotencyKey(input.orderId, 'refund', input.refundNumber ?? 1),
        })
      } catch (error) {
        if (error instanceof RefundRefusedError) throw businessRefusal('RefundRefused', error.message, error.code)
        throw error
      }
    },
  }
}

import type Stripe from 'stripe'
import type { PaymentsConfig } from '../../config.js'
import { createStripeClient } from '../../adapters/payments/stripe-client.js'
import type { PaymentInstruction } from '../../domain/order-types.js'
import { ApiProblem } from '../problem.js'
import type { PlaceOrderBody } from '../schemas/orders.js'
import { type PayPalApi, createPayPalApi } from '../../adapters/payments/paypal-api.js'

/**
 * What the API needs of the payment providers: clients to read what a
 * customer needs to finish paying and to verify webhooks, and the windows an
 * order is placed with. A provider that is null is not configured.
 */
export interface ApiPayments {
  stripe: Stripe | null
  stripeWebhookSecret: string | null
  paypal: PayPalApi | null
  paypalWebhookId: string | null
  actionTimeoutMs: number
  authorizationValidityMs: number
}

/** Nothing but the sandbox: what an app gets when it is given no payment settings. */
export const sandboxOnlyPayments: ApiPayments = {
  stripe: null,
  stripeWebhookSecret: null,
  paypal: null,
  paypalWebhookId: null,
  actionTimeoutMs: 3_600_000,
  authorizationValidityMs: 6 * 86_400_000,
}

/** The API's payment clients, from the configuration. */
export function createApiPayments(config: PaymentsConfig): ApiPayments {
  return {
    stripe: config.stripe ? createStripeClient({ secretKey: config.stripe.secretKey, apiBase: config.stripe.apiBase }) : null,
    stripeWebhookSecret: config.stripe?.webhookSecret ?? null,
    paypal: config.paypal ? createPayPalApi(config.paypal) : null,
    paypalWebhookId: config.paypal?.webhookId ?? null,
    actionTimeoutMs: config.actionTimeoutMs,
    authorizationValidityMs: config.authorizationValidityMs,
  }
}

/**
 * How an order will be paid, with its provider chosen now and for good:
 * cards go to Stripe when it is configured, else to the sandbox; PayPal only
 * when it is configured, else the request is refused with a 422.
 */
export function paymentInstructionFor(payments: ApiPayments, body: PlaceOrderBody): PaymentInstruction {
  switch (body.paymentMethod) {
    case 'card':
      return { method: 'card', token: body.paymentToken ?? '', provider: payments.stripe ? 'stripe' : 'sandbox' }
    case 'paypal':
      if (!payments.paypal) {
        throw new ApiProblem('payment_method_unavailable', 'paymentMethod: PayPal is not configured on this store', {
          errors: [{ in: 'body', field: 'paymentMethod', reason: 'paypal is not accepted by this store' }],
        })
      }
      return { method: 'paypal' }
    case 'cod':
      return { method: 'cod' }
  }
}

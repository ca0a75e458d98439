import type Stripe from 'stripe'
import { type PaymentsConfig, paymentDefaults } from '../../config.js'
import { createStripeClient } from '../../adapters/payments/stripe-client.js'
import type { PlacementSettings } from '../../commerce/place-order.js'
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
  ...paymentDefaults,
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

/** The store's rules for new orders, from the app's settings and payment providers. */
export function placementSettings(deps: {
  storeCurrency: string
  codConfirmationTimeoutMs: number
  refundWindowMs?: number | undefined
  payments?: ApiPayments | undefined
}): PlacementSettings {
  const payments = deps.payments ?? sandboxOnlyPayments
  return {
    storeCurrency: deps.storeCurrency,
    codConfirmationTimeoutMs: deps.codConfirmationTimeoutMs,
    refundWindowMs: deps.refundWindowMs,
    paymentActionTimeoutMs: payments.actionTimeoutMs,
    authorizationValidityMs: payments.authorizationValidityMs,
    cardProvider: payments.stripe ? 'stripe' : 'sandbox',
    paypalAccepted: payments.paypal !== null,
  }
}

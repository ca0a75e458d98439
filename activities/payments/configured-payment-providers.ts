import type { PaymentsConfig } from '../../config.js'
import type { PaymentProvider } from './payment-provider.js'
import { createStripeClient } from './stripe-client.js'
import { createStripePaymentProvider } from './stripe-payment-provider.js'

/**
 * The providers the configuration turns on, for the worker: Stripe when
 * STRIPE_SECRET_KEY is set. The sandbox is always there as the default.
 */
export function configuredPaymentProviders(config: PaymentsConfig): PaymentProvider[] {
  const providers: PaymentProvider[] = []
  if (config.stripe) {
    const stripe = createStripeClient({ secretKey: config.stripe.secretKey, apiBase: config.stripe.apiBase })
    providers.push(createStripePaymentProvider({ stripe }))
  }
  return providers
}

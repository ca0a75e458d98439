import type { PaymentsConfig } from '../../config.js'
import type { PaymentProvider } from './payment-provider.js'
import { createPayPalApi } from './paypal-api.js'
import { createPayPalPaymentProvider } from './paypal-payment-provider.js'
import { createStripeClient } from './stripe-client.js'
import { createStripePaymentProvider } from './stripe-payment-provider.js'

/**
 * The providers the configuration turns on, for the worker: Stripe when
 * STRIPE_SECRET_KEY is set, PayPal when its client id and secret are. The sandbox is always there as the default.
 */
export function configuredPaymentProviders(config: PaymentsConfig): PaymentProvider[] {
  const providers: PaymentProvider[] = []
  if (config.stripe) {
    const stripe = createStripeClient({ secretKey: config.stripe.secretKey, apiBase: config.stripe.apiBase })
    providers.push(createStripePaymentProvider({ stripe }))
  }
  if (config.paypal) {
    const { intent, returnUrl, cancelUrl } = config.paypal
    providers.push(createPayPalPaymentProvider({ paypal: createPayPalApi(config.paypal), intent, returnUrl, cancelUrl }))
  }
  return providers
}

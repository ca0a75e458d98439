/**
 * The whole engine over HTTP with Stripe as the card provider, Stripe being
 * the in-repo fake driven through the real SDK: what every Stripe test file
 * starts with.
 */
import type Stripe from 'stripe'
import { createStripeClient } from '../../adapters/payments/stripe-client.js'
import { createStripePaymentProvider } from '../../adapters/payments/stripe-payment-provider.js'
import { sandboxOnlyPayments } from '../../api/payments/api-payments.js'
import { type FakeStripe, startFakeStripe } from './fake-stripe.js'
import { type HttpStack, type HttpStackOptions, startHttpStack } from './http-stack.js'
import { stripeWebhookSecret } from './stripe-webhook-sender.js'

export interface StripeStack {
  fake: FakeStripe
  /** A client of the fake, as the API and the worker use it (or as a dashboard would, with its own keys). */
  stripe: Stripe
  stack: HttpStack
  close(): Promise<void>
}

/** Starts the fake Stripe (`seed` decides which responses it loses) and the stack wired to it. */
export async function startStripeStack(seed: number, options: Omit<HttpStackOptions, 'payments' | 'paymentProviders'> = {}) {
  const fake = await startFakeStripe(seed)
  const stripe = createStripeClient({ secretKey: 'sk_test_fake', apiBase: fake.url })
  const stack = await startHttpStack({
    ...options,
    payments: { ...sandboxOnlyPayments, stripe, stripeWebhookSecret },
    paymentProviders: [createStripePaymentProvider({ stripe })],
  })
  return {
    fake,
    stripe,
    stack,
    async close() {
      await stack.close()
      await fake.close()
    },
  } satisfies StripeStack
}

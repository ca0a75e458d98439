import Stripe from 'stripe'
import type { HttpResult, HttpStack } from './http-stack.js'

export const stripeWebhookSecret = 'whsec_test_0123456789abcdef'
const signer = new Stripe('sk_test_signer')

export interface DeliveryOptions {
  secret?: string
  /** Unix seconds the signature claims; now by default. */
  timestamp?: number
  /** Send no Stripe-Signature header at all. */
  unsigned?: boolean
}

/** Posts an event to /v1/webhooks/stripe signed as Stripe signs it. */
export function deliverStripeEvent(stack: HttpStack, event: unknown, options: DeliveryOptions = {}): Promise<HttpResult> {
  const payload = JSON.stringify(event)
  const header = signer.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? stripeWebhookSecret,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  })
  return stack.call('POST', '/v1/webhooks/stripe', {
    body: payload,
    headers: options.unsigned ? {} : { 'Stripe-Signature': header },
  })
}

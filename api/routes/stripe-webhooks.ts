import { OpenAPIHono, z } from '@hono/zod-openapi'
import type Stripe from 'stripe'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { isOrderId } from '../../db/order-queries.js'
import { paymentWebhookRoute, receivePaymentEvent } from '../payments/payment-webhook.js'
import { ApiProblem } from '../problem.js'
import { text } from '../text-field.js'
import { validationProblem } from '../validation-hook.js'

/** How old a signed Stripe event may be before it is refused as a replay. */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300

/** The order and PaymentIntent a Stripe event is about, if it is about one of ours. */
function paymentIntentOf(event: Stripe.Event): { orderId: string; reference: string } | null {
  const object = event.data.object as { object?: string; id?: string; payment_intent?: unknown; metadata?: unknown }
  const metadata = (object.metadata ?? {}) as Record<string, unknown>
  const orderId = metadata['order_id']
  const reference =
    object.object === 'payment_intent' ? object.id : typeof object.payment_intent === 'string' ? object.payment_intent : null
  if (typeof orderId !== 'string' || !isOrderId(orderId) || typeof reference !== 'string') return null
  return { orderId, reference }
}

/**
 * `/v1/webhooks/stripe`: Stripe's events about our PaymentIntents. The
 * signature is checked on the raw body (300 s tolerance); each event goes to
 * its order's workflow once, which then reads the PaymentIntent from Stripe,
 * so duplicates, late and out-of-order deliveries are harmless.
 */
export function stripeWebhooksRouter(deps: AppDeps) {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  const receive = paymentWebhookRoute({
    summary: 'Receive a Stripe webhook event',
    description: 'Signed by Stripe (Stripe-Signature). Answers 2xx once the event is safely recorded and relayed.',
    headers: z.object({ 'stripe-signature': text({ max: 2_000 }).optional() }),
  })
  router.openapi(receive, async (c) => {
    const stripe = deps.payments?.stripe
    const secret = deps.payments?.stripeWebhookSecret
    if (!stripe || !secret) throw new ApiProblem('not_found', 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)')
    const raw = await c.req.text()
    let event: Stripe.Event
    try {
      event = stripe.webhooks.constructEvent(
        raw,
        c.req.header('stripe-signature') ?? '',
        secret,
        STRIPE_SIGNATURE_TOLERANCE_SECONDS,
      )
    } catch (error) {
      c.var.logger.warn({ reason: (error as Error).message }, 'Stripe webhook refused')
      throw new ApiProblem('webhook_signature_invalid', 'The Stripe-Signature header does not match the body, or is too old')
    }
    const receipt = await receivePaymentEvent(
      deps,
      c.var.logger,
      'stripe',
      { id: event.id, type: event.type },
      paymentIntentOf(event),
    )
    return c.json(receipt, 200)
  })
  return router
}

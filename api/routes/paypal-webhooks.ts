import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { isOrderId } from '../../db/order-queries.js'
import { paymentWebhookRoute, receivePaymentEvent } from '../payments/payment-webhook.js'
import { ApiProblem } from '../problem.js'
import { text } from '../text-field.js'
import { validationProblem } from '../validation-hook.js'

const transmissionHeaders = [
  'paypal-auth-algo',
  'paypal-cert-url',
  'paypal-transmission-id',
  'paypal-transmission-sig',
  'paypal-transmission-time',
] as const

interface PayPalEventBody {
  id?: unknown
  event_type?: unknown
  resource?: {
    id?: unknown
    custom_id?: unknown
    purchase_units?: Array<{ custom_id?: unknown }>
    supplementary_data?: { related_ids?: { order_id?: unknown } }
  }
}

/** Our order and the PayPal order an event is about: checkout-order events carry both; payment events name the order. */
function targetOf(event: PayPalEventBody): { orderId: string; reference: string } | null {
  const resource = event.resource ?? {}
  const orderId = resource.purchase_units?.[0]?.custom_id ?? resource.custom_id
  const related = resource.supplementary_data?.related_ids?.order_id
  const reference =
    typeof related === 'string' ? related : String(event.event_type).startsWith('CHECKOUT.ORDER.') ? resource.id : null
  if (typeof orderId !== 'string' || !isOrderId(orderId) || typeof reference !== 'string') return null
  return { orderId, reference }
}

/**
 * `/v1/webhooks/paypal`: PayPal's events about our orders. Each delivery is
 * verified by PayPal's verify-webhook-signature API (we never fetch the
 * certificate URL a delivery names), then relayed once to its order's
 * workflow, which reads the order's state from PayPal itself.
 */
export function paypalWebhooksRouter(deps: AppDeps) {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  const receive = paymentWebhookRoute({
    summary: 'Receive a PayPal webhook event',
    description: 'Verified with PayPal (verify-webhook-signature) against PAYPAL_WEBHOOK_ID before anything is done.',
    headers: z.object(Object.fromEntries(transmissionHeaders.map((name) => [name, text({ max: 2_000 }).optional()]))),
  })
  router.openapi(receive, async (c) => {
    const paypal = deps.payments?.paypal
    const webhookId = deps.payments?.paypalWebhookId
    if (!paypal || !webhookId) throw new ApiProblem('not_found', 'PayPal webhooks are not configured (PAYPAL_WEBHOOK_ID)')
    const raw = await c.req.text()
    const headers = transmissionHeaders.map((name) => c.req.header(name))
    let event: PayPalEventBody | null = null
    try {
      event = JSON.parse(raw) as PayPalEventBody
    } catch {
      event = null
    }
    const [authAlgo, certUrl, transmissionId, transmissionSig, transmissionTime] = headers
    const genuine =
      event !== null &&
      authAlgo &&
      certUrl &&
      transmissionId &&
      transmissionSig &&
      transmissionTime &&
      (await paypal.verifyWebhookSignature({
        authAlgo,
        certUrl,
        transmissionId,
        transmissionSig,
        transmissionTime,
        webhookId,
        event,
      }))
    if (!genuine || !event || typeof event.id !== 'string') {
      c.var.logger.warn({ transmissionId }, 'PayPal webhook refused')
      throw new ApiProblem('webhook_signature_invalid', 'PayPal did not confirm this delivery as genuine')
    }
    const receipt = await receivePaymentEvent(
      deps,
      c.var.logger,
      'paypal',
      { id: event.id, type: String(event.event_type) },
      targetOf(event),
    )
    return c.json(receipt, 200)
  })
  return router
}

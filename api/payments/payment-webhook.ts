import { createRoute, z } from '@hono/zod-openapi'
import type { Logger } from 'pino'
import type { PaymentProviderName } from '../../workflows/order-types.js'
import type { AppDeps } from '../app-deps.js'
import { problemResponses } from '../schemas.js'
import { relayPaymentEvent } from './relay-payment-event.js'

/** What a payment provider's webhook delivery is answered with. */
export const WebhookReceipt = z
  .object({
    status: z.enum(['accepted', 'duplicate', 'order_closed', 'already_settled', 'ignored']),
    eventId: z.string(),
    orderId: z.string().nullable(),
  })
  .openapi('WebhookReceipt')

/** The route of a provider's webhook: `POST /`, answered 200 with a receipt once the event is safely handled. */
export function paymentWebhookRoute(options: { summary: string; description: string; headers: z.ZodObject }) {
  return createRoute({
    method: 'post',
    path: '/',
    summary: options.summary,
    description: options.description,
    request: { headers: options.headers },
    responses: {
      200: {
        description: 'Recorded and relayed, or not about one of our orders',
        content: { 'application/json': { schema: WebhookReceipt } },
      },
      ...problemResponses(400, 404),
    },
  })
}

/**
 * Relays a verified provider event to the order it names (once per event id)
 * and says what became of it; an event about none of our orders is `ignored`.
 */
export async function receivePaymentEvent(
  deps: AppDeps,
  logger: Logger,
  provider: PaymentProviderName,
  event: { id: string; type: string },
  target: { orderId: string; reference: string } | null,
): Promise<z.infer<typeof WebhookReceipt>> {
  if (!target) return { status: 'ignored', eventId: event.id, orderId: null }
  const status = await relayPaymentEvent(deps, target.orderId, {
    eventId: event.id,
    provider,
    type: event.type,
    reference: target.reference,
  })
  logger.info({ provider, eventId: event.id, type: event.type, orderId: target.orderId, status }, 'payment event received')
  return { status, eventId: event.id, orderId: target.orderId }
}

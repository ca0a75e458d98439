import { createRoute, z } from '@hono/zod-openapi'
import type { Logger } from 'pino'
import type { PaymentProviderName } from '../../domain/vocabulary.js'
import type { AppDeps } from '../app-deps.js'
import { ApiProblem, type FieldError, fieldErrorsDetail } from '../problem.js'
import { problemResponses } from '../schemas/problems.js'
import { textProblem } from '../text-field.js'
import { relayPaymentEvent } from '../../commerce/relay-payment-event.js'

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

/** Where each field we keep sits in a provider's event, to name it in a refusal. */
const keptFields: Partial<Record<PaymentProviderName, Record<'id' | 'type' | 'reference', string>>> = {
  stripe: { id: 'id', type: 'type', reference: 'data.object.id' },
  paypal: { id: 'id', type: 'event_type', reference: 'resource.id' },
}

/**
 * Refuses a verified event whose fields we keep (stored and sent to the
 * workflow) break the text rule, with a 400 naming them: a genuine provider
 * never sends one, and Postgres could not store it.
 */
function refuseUnkeepableText(
  provider: PaymentProviderName,
  fields: { id: string; type: string; reference: string | null },
): void {
  const errors: FieldError[] = []
  for (const name of ['id', 'type', 'reference'] as const) {
    const value = fields[name]
    const reason = value === null ? null : textProblem(value, { min: 1, max: 255 })
    if (reason) errors.push({ in: 'body', field: keptFields[provider]?.[name] ?? name, reason })
  }
  if (errors.length > 0) {
    throw new ApiProblem('invalid_request', fieldErrorsDetail(errors), { errors })
  }
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
  refuseUnkeepableText(provider, { id: event.id, type: event.type, reference: target?.reference ?? null })
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

/** The webhook endpoints resource: endpoints as admins register and see them, their delivery log, and the events sent. */
import { z } from '@hono/zod-openapi'
import {
  orderEventTypes,
  webhookAttemptOutcomes,
  webhookDeliveryStatuses,
  webhookEndpointDisabledReasons,
} from '../../domain/order-events.js'
import { text } from '../text-field.js'

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'is not an id this API returned')

export const EndpointIdParam = z.object({ id: uuid.openapi({ param: { name: 'id', in: 'path' } }) })
export const DeliveryParams = z.object({
  id: uuid.openapi({ param: { name: 'id', in: 'path' } }),
  deliveryId: uuid.openapi({ param: { name: 'deliveryId', in: 'path' } }),
})

const url = text({ min: 1, max: 2000, trim: true }).openapi({
  description:
    'Where to POST the events: https (http too outside production); no user name or password; not a loopback, ' +
    'link-local or private address unless WEBHOOK_ALLOW_PRIVATE_TARGETS is set (checked again after DNS at each delivery).',
  example: 'https://erp.example.com/hooks/orders',
})
const eventTypes = z
  .array(z.enum(orderEventTypes))
  .min(1, 'must name at least one event type')
  .max(orderEventTypes.length * 2)
  .openapi({ description: 'The order events this endpoint receives.' })
const description = text({ max: 500, trim: true, multiline: true })

export const WebhookEndpointInput = z
  .strictObject({ url, eventTypes, description: description.default('') })
  .openapi('WebhookEndpointInput', {
    example: { url: 'https://erp.example.com/hooks/orders', eventTypes: ['order.placed', 'order.shipped'], description: 'ERP' },
  })

export const WebhookEndpointChanges = z
  .strictObject({
    url: url.optional(),
    eventTypes: eventTypes.optional(),
    description: description.optional(),
    status: z.enum(['enabled', 'disabled']).optional().openapi({
      description: '`disabled` stops deliveries (those in flight stop at their next attempt); `enabled` starts them again.',
    }),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'must change at least one field')
  .openapi('WebhookEndpointChanges', { example: { status: 'disabled' } })

/** How long the old secret keeps signing after a rotation, unless the request says: 24 h. */
export const DEFAULT_PREVIOUS_SECRET_VALIDITY_S = 86_400

export const SecretRotationInput = z
  .strictObject({
    previousSecretValidFor: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(DEFAULT_PREVIOUS_SECRET_VALIDITY_S)
      .openapi({
        description:
          'Seconds the old secret keeps signing beside the new one (each webhook then carries both signatures); 0 to 7 days, 24 h by default.',
      }),
  })
  .openapi('WebhookSecretRotation')

export const WebhookEndpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.enum(orderEventTypes)),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z
      .enum(webhookEndpointDisabledReasons)
      .nullable()
      .openapi({ description: '`failing`: every attempt failed for days; fix the receiver and set `status: enabled`.' }),
    disabledAt: z.string().nullable(),
    failingSince: z.string().nullable().openapi({ description: 'Since when every attempt has failed; null after a success.' }),
    previousSecretExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookEndpoint')

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().openapi({
    description: 'The signing secret (`whsec_…`, Standard Webhooks). Shown only in this answer: keep it now.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
}).openapi('WebhookEndpointWithSecret')

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: uuid.optional(),
  status: z.enum(['enabled', 'disabled']).optional(),
})
export const DeliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: uuid.optional(),
})

export const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: 'The `webhook-id` of every attempt: receivers dedupe by it.' }),
    eventType: z.enum(orderEventTypes),
    orderId: z.string(),
    status: z.enum(webhookDeliveryStatuses),
    runs: z.number().int().openapi({ description: '1, plus one per manual redelivery.' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        run: z.number().int(),
        attemptedAt: z.string(),
        outcome: z.enum(webhookAttemptOutcomes),
        statusCode: z.number().int().nullable(),
        latencyMs: z.number().int(),
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi('WebhookDelivery')

export const Redelivery = z.object({ deliveryId: z.string(), run: z.number().int() }).openapi('WebhookRedelivery')

/** The body of every webhook, as signed. */
export function orderEventBody(type: (typeof orderEventTypes)[number]) {
  return z.object({
    id: z.string().openapi({ description: 'The event id, also in `webhook-id`; the same on every attempt and redelivery.' }),
    type: z.literal(type),
    timestamp: z.string().openapi({ description: 'When it happened (ISO 8601).' }),
    data: z.object({ orderId: z.string() }).catchall(z.unknown()).openapi({
      description: 'The order, and what the event carries (the reason of a cancellation, the amount of a refund …).',
    }),
  })
}

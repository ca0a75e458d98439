import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { WebhookTargetRules } from '../../adapters/webhooks/webhook-targets.js'
import {
  changeWebhookEndpoint,
  readWebhookDeliveries,
  readWebhookEndpoint,
  readWebhookEndpoints,
  redeliverWebhook,
  registerWebhookEndpoint,
  removeWebhookEndpoint,
  rotateWebhookSecret,
} from '../../commerce/webhook-endpoints.js'
import { orderEventDescriptions, orderEventTypes } from '../../domain/order-events.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { adminOnly, authenticate } from '../auth.js'
import { adminActionRateLimit } from '../route-rate-limits.js'
import { problemResponses } from '../schemas/problems.js'
import {
  DeliveriesQuery,
  DeliveryParams,
  EndpointIdParam,
  ListQuery,
  Redelivery,
  DEFAULT_PREVIOUS_SECRET_VALIDITY_S,
  SecretRotationInput,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointChanges,
  WebhookEndpointInput,
  WebhookEndpointWithSecret,
  orderEventBody,
} from '../schemas/webhook-endpoints.js'
import { validationProblem } from '../validation-hook.js'

const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } })

/** Private targets refused and http allowed, unless the app is told otherwise. */
const defaultRules: WebhookTargetRules = { httpsOnly: false, allowPrivateTargets: false }

/**
 * `/v1/webhook-endpoints` (admins only): the endpoints other systems receive
 * order events at, signed per Standard Webhooks; their secrets, their
 * delivery log and manual redelivery. Each event type's body is in the
 * OpenAPI document's `webhooks` section.
 */
export function webhookEndpointsRouter(deps: AppDeps) {
  const rules = deps.webhookTargetRules ?? defaultRules
  const admins = authenticate({ roles: ['admin'] })
  const limited = adminActionRateLimit(deps)
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })

  const register = createRoute({
    method: 'post',
    path: '/',
    summary: 'Register a webhook endpoint (admin)',
    description: 'The answer carries the signing secret, once: it is never shown again (rotate it to get a new one).',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { body: { content: json(WebhookEndpointInput), required: true } },
    responses: {
      201: { description: 'Registered, enabled, with its secret', content: json(WebhookEndpointWithSecret) },
      ...problemResponses(400, 401, 403, 413, 422, 429),
    },
  })
  router.openapi(register, async (c) => {
    const { endpoint, secret } = await registerWebhookEndpoint(deps.db, c.var.principal, c.req.valid('json'), rules)
    c.var.logger.info(
      { endpointId: endpoint.id, url: endpoint.url, eventTypes: endpoint.eventTypes },
      'webhook endpoint registered',
    )
    c.header('Location', `/v1/webhook-endpoints/${endpoint.id}`)
    return c.json({ ...endpoint, secret }, 201)
  })

  const list = createRoute({
    method: 'get',
    path: '/',
    summary: 'Webhook endpoints, newest first (admin)',
    description:
      '`status=disabled` lists those an admin must look at: `disabledReason: failing` was disabled for failing for days.',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { query: ListQuery },
    responses: {
      200: {
        description: 'A page of endpoints',
        content: json(z.object({ data: z.array(WebhookEndpoint), nextCursor: z.string().nullable() })),
      },
      ...problemResponses(400, 401, 403, 429),
    },
  })
  router.openapi(list, async (c) => {
    const { limit, cursor, status } = c.req.valid('query')
    const page = await readWebhookEndpoints(deps.db, { limit, status: status ?? null, afterId: cursor ?? null })
    return c.json({ data: page.endpoints, nextCursor: page.nextAfterId }, 200)
  })

  const get = createRoute({
    method: 'get',
    path: '/{id}',
    summary: 'A webhook endpoint (admin)',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { params: EndpointIdParam },
    responses: {
      200: { description: 'The endpoint', content: json(WebhookEndpoint) },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  })
  router.openapi(get, async (c) => c.json(await readWebhookEndpoint(deps.db, c.req.valid('param').id), 200))

  const update = createRoute({
    method: 'patch',
    path: '/{id}',
    summary: 'Change, disable or enable a webhook endpoint (admin)',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { params: EndpointIdParam, body: { content: json(WebhookEndpointChanges), required: true } },
    responses: {
      200: { description: 'The endpoint, changed', content: json(WebhookEndpoint) },
      ...problemResponses(400, 401, 403, 404, 413, 422, 429),
    },
  })
  router.openapi(update, async (c) => {
    const { id } = c.req.valid('param')
    const { url, description, eventTypes, status } = c.req.valid('json')
    const endpoint = await changeWebhookEndpoint(
      deps.db,
      id,
      {
        ...(url === undefined ? {} : { url }),
        ...(description === undefined ? {} : { description }),
        ...(eventTypes === undefined ? {} : { eventTypes }),
        ...(status === undefined ? {} : { status }),
      },
      rules,
    )
    c.var.logger.info({ endpointId: id, status: endpoint.status }, 'webhook endpoint changed')
    return c.json(endpoint, 200)
  })

  const remove = createRoute({
    method: 'delete',
    path: '/{id}',
    summary: 'Delete a webhook endpoint and its delivery log (admin)',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { params: EndpointIdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404, 429) },
  })
  router.openapi(remove, async (c) => {
    const { id } = c.req.valid('param')
    await removeWebhookEndpoint(deps.db, id)
    c.var.logger.info({ endpointId: id }, 'webhook endpoint deleted')
    return c.body(null, 204)
  })

  const rotate = createRoute({
    method: 'post',
    path: '/{id}/secret-rotation',
    summary: "Rotate a webhook endpoint's signing secret (admin)",
    description:
      'Makes a new secret, answered once. The old one keeps signing beside it for `previousSecretValidFor` seconds ' +
      '(24 h by default): each webhook carries both signatures, so receivers switch without missing one.',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { params: EndpointIdParam, body: { content: json(SecretRotationInput), required: false } },
    responses: {
      200: { description: 'The endpoint with its new secret', content: json(WebhookEndpointWithSecret) },
      ...problemResponses(400, 401, 403, 404, 413, 429),
    },
  })
  router.openapi(rotate, async (c) => {
    const { id } = c.req.valid('param')
    // The body is optional: without one, the default grace.
    const previousSecretValidFor = (c.req.valid('json') as { previousSecretValidFor?: number } | undefined)
      ?.previousSecretValidFor
    const { endpoint, secret } = await rotateWebhookSecret(deps.db, id, {
      previousValidForMs: (previousSecretValidFor ?? DEFAULT_PREVIOUS_SECRET_VALIDITY_S) * 1_000,
    })
    c.var.logger.info({ endpointId: id, previousSecretExpiresAt: endpoint.previousSecretExpiresAt }, 'webhook secret rotated')
    return c.json({ ...endpoint, secret }, 200)
  })

  const deliveries = createRoute({
    method: 'get',
    path: '/{id}/deliveries',
    summary: "A webhook endpoint's delivery log, newest first (admin)",
    description: 'Each delivery (one event) with every attempt: when, the status code, the latency and the error.',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { params: EndpointIdParam, query: DeliveriesQuery },
    responses: {
      200: {
        description: 'A page of deliveries',
        content: json(z.object({ data: z.array(WebhookDelivery), nextCursor: z.string().nullable() })),
      },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  })
  router.openapi(deliveries, async (c) => {
    const { id } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    const page = await readWebhookDeliveries(deps.db, id, { limit, afterId: cursor ?? null })
    return c.json({ data: page.deliveries, nextCursor: page.nextAfterId }, 200)
  })

  const redeliver = createRoute({
    method: 'post',
    path: '/{id}/deliveries/{deliveryId}/redelivery',
    summary: 'Send a delivery again (admin)',
    description:
      'A new run of a delivered or given-up delivery, with the same event id (`webhook-id`) and retries like the first; ' +
      '409 while it is still being tried.',
    middleware: [admins, limited] as const,
    ...adminOnly,
    request: { params: DeliveryParams },
    responses: {
      202: { description: 'The run is started', content: json(Redelivery) },
      ...problemResponses(400, 401, 403, 404, 409, 429),
    },
  })
  router.openapi(redeliver, async (c) => {
    const { id, deliveryId } = c.req.valid('param')
    const started = await redeliverWebhook(deps, id, deliveryId)
    c.var.logger.info({ endpointId: id, ...started }, 'webhook redelivery started')
    return c.json(started, 202)
  })

  return router
}

/**
 * Documents every order event in the OpenAPI document's `webhooks` section
 * (OpenAPI 3.1): the body each endpoint receives, and the headers that sign it.
 */
export function registerOrderEventWebhooks(app: OpenAPIHono<AppEnv>): void {
  const headers = z.object({
    'webhook-id': z.string().openapi({ description: 'The event id: the same on every attempt; dedupe by it.' }),
    'webhook-timestamp': z.string().openapi({ description: 'Unix seconds when this attempt was signed; refuse old ones.' }),
    'webhook-signature': z.string().openapi({
      description:
        'Space-separated `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint secret ' +
        '(two during a rotation). Verify with a Standard Webhooks library.',
    }),
  })
  for (const type of orderEventTypes) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      summary: type,
      description: `${orderEventDescriptions[type]} Sent to every enabled endpoint whose \`eventTypes\` include \`${type}\`.`,
      request: { headers, body: { content: json(orderEventBody(type)), required: true } },
      responses: {
        200: { description: 'Any 2xx within 10 s: delivered. Anything else, a timeout or a redirect is retried with backoff.' },
      },
    })
  }
}

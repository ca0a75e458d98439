import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { relayCarrierEvent } from '../../commerce/relay-carrier-event.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { CARRIER_SIGNATURE_HEADER, carrierSignatureProblem } from '../carrier-signature.js'
import { ApiProblem } from '../problem.js'
import { CarrierEventBody } from '../schemas/carrier-events.js'
import { problemResponses } from '../schemas/problems.js'
import { text } from '../text-field.js'
import { validationProblem } from '../validation-hook.js'

const Accepted = z.object({
  status: z.enum(['accepted', 'ignored']),
  orderId: z.string(),
  returnId: z.string().nullable().openapi({ description: 'The return whose parcel this is; null for an order parcel.' }),
  reason: z.string().nullable(),
})

/**
 * `/v1/carrier-events`: the carrier's tracking webhook. The signature is
 * checked on the raw body; the event goes to the order's workflow (or, for a
 * return parcel, to the order's after-sales workflow), which ignores
 * duplicates and never moves a parcel backwards.
 */
export function carrierEventsRouter(deps: AppDeps) {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  const receive = createRoute({
    method: 'post',
    path: '/',
    summary: 'Receive a carrier tracking event',
    description: `Signed with ${CARRIER_SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> using the shared carrier secret.`,
    request: {
      headers: z.object({ [CARRIER_SIGNATURE_HEADER.toLowerCase()]: text({ max: 1_000 }).optional() }),
      body: { content: { 'application/json': { schema: CarrierEventBody } }, required: true },
    },
    responses: {
      202: {
        description: 'Accepted, or ignored because the order (or, for a return parcel, its after-sales) is closed',
        content: { 'application/json': { schema: Accepted } },
      },
      ...problemResponses(400, 401, 404, 413),
    },
  })
  // The signature covers the raw bytes, so it is checked before the body is parsed.
  router.post('/', async function verifyCarrierSignature(c, next) {
    const raw = await c.req.raw.clone().text()
    const problem = carrierSignatureProblem(deps.carrierWebhookSecret, c.req.header(CARRIER_SIGNATURE_HEADER), raw)
    if (problem) throw new ApiProblem('unauthenticated', `Carrier signature refused: ${problem}`)
    await next()
  })
  router.openapi(receive, async (c) => {
    const event = c.req.valid('json')
    const relayed = await relayCarrierEvent(deps, { ...event, location: event.location ?? null })
    const { orderId, returnId } = relayed
    if (relayed.status === 'ignored') {
      c.var.logger.info({ orderId, returnId, eventId: event.eventId }, 'carrier event for a closed workflow ignored')
      return c.json({ status: 'ignored' as const, orderId, returnId, reason: relayed.reason }, 202)
    }
    c.var.logger.info({ orderId, returnId, eventId: event.eventId, carrierStatus: event.status }, 'carrier event relayed')
    return c.json({ status: 'accepted' as const, orderId, returnId, reason: null }, 202)
  })
  return router
}

import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { authenticate } from '../auth.js'
import { cancelOrder, confirmCashOnDelivery, readOrder } from '../orders/order-actions.js'
import { decodeCursor, listOrderRows } from '../orders/order-queries.js'
import { placeOrder } from '../orders/place-order.js'
import { orderViewFromRow } from '../order-view.js'
import { ApiProblem } from '../problem.js'
import {
  CancelOrderBody,
  OrderIdParam,
  OrderPage,
  OrderView,
  PlaceOrderBody,
  PlacedOrderView,
  problemResponses,
} from '../schemas.js'
import { validationProblem } from '../validation-hook.js'

const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional()
    .openapi({ param: { name: 'Idempotency-Key', in: 'header' }, description: 'A unique key per intended request (a UUID).' }),
})

const orderJson = { 'application/json': { schema: OrderView } }

/** `/v1/orders`: place, read, list, cancel, and confirm cash on delivery. */
export function ordersRouter(deps: AppDeps) {
  const anyone = authenticate({ secret: deps.jwtSecret })
  const admins = authenticate({ secret: deps.jwtSecret, roles: ['admin'] })
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })

  const place = createRoute({
    method: 'post',
    path: '/',
    summary: 'Place an order',
    description:
      'Prices the lines from the catalog and starts the order. Answers as soon as the order is durably started (status PENDING). ' +
      'Retrying with the same Idempotency-Key and body returns the same order; a different body with the key is 422.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: {
      headers: IdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: PlaceOrderBody } }, required: true },
    },
    responses: {
      201: {
        description: 'The order, just placed (or replayed), with what the customer needs to finish paying',
        content: { 'application/json': { schema: PlacedOrderView } },
      },
      ...problemResponses(400, 401, 422),
    },
  })
  router.openapi(place, async (c) => {
    const key = c.req.valid('header')['idempotency-key']
    if (!key) throw new ApiProblem('missing_idempotency_key', 'Send an Idempotency-Key header (a UUID you generate per order)')
    const { order, replayed } = await placeOrder(deps, {
      principal: c.var.principal,
      idempotencyKey: key,
      body: c.req.valid('json'),
    })
    c.header('Location', `/v1/orders/${order.id}`)
    if (replayed) c.header('Idempotent-Replayed', 'true')
    c.var.logger.info({ orderId: order.id, replayed }, 'order placed')
    return c.json(order, 201)
  })

  const list = createRoute({
    method: 'get',
    path: '/',
    summary: "List the caller's orders, newest first",
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        cursor: z.string().max(500).optional(),
      }),
    },
    responses: {
      200: { description: 'A page of orders', content: { 'application/json': { schema: OrderPage } } },
      ...problemResponses(400, 401),
    },
  })
  router.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query')
    const position = cursor ? decodeCursor(cursor) : null
    if (cursor && !position) {
      throw new ApiProblem('invalid_request', 'cursor: is not a cursor this API returned', {
        errors: [{ in: 'query', field: 'cursor', reason: 'is not a cursor this API returned' }],
      })
    }
    const principal = c.var.principal
    const page = await listOrderRows(deps.db, {
      customerId: principal.role === 'admin' ? null : principal.subject,
      limit,
      cursor: position,
    })
    return c.json({ data: page.rows.map(orderViewFromRow), nextCursor: page.nextCursor }, 200)
  })

  const get = createRoute({
    method: 'get',
    path: '/{id}',
    summary: 'Read one order, live',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam },
    responses: { 200: { description: 'The order', content: orderJson }, ...problemResponses(401, 404) },
  })
  router.openapi(get, async (c) => c.json(await readOrder(deps, c.var.principal, c.req.valid('param').id), 200))

  const cancel = createRoute({
    method: 'post',
    path: '/{id}/cancellation',
    summary: 'Cancel an order before the carrier picks it up',
    description: 'The owner or an admin may cancel until pickup; afterwards the answer is 409 with the reason.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: {
      params: OrderIdParam,
      headers: IdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: CancelOrderBody } }, required: false },
    },
    responses: { 200: { description: 'The cancelled order', content: orderJson }, ...problemResponses(400, 401, 404, 409) },
  })
  router.openapi(cancel, async (c) => {
    const body = c.req.valid('json') as z.infer<typeof CancelOrderBody> | undefined
    const order = await cancelOrder(deps, c.var.principal, c.req.valid('param').id, {
      note: body?.reason ?? null,
      requestKey: c.req.valid('header')['idempotency-key'] ?? null,
    })
    return c.json(order, 200)
  })

  const confirmCod = createRoute({
    method: 'post',
    path: '/{id}/cod-confirmation',
    summary: 'Confirm a cash-on-delivery order (admin)',
    middleware: [admins] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam, headers: IdempotencyKeyHeader },
    responses: { 200: { description: 'The confirmed order', content: orderJson }, ...problemResponses(401, 403, 404, 409) },
  })
  router.openapi(confirmCod, async (c) => {
    const order = await confirmCashOnDelivery(deps, c.var.principal, c.req.valid('param').id, {
      requestKey: c.req.valid('header')['idempotency-key'] ?? null,
    })
    return c.json(order, 200)
  })

  return router
}

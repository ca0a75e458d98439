import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { adminOnly, authenticate } from '../auth.js'
import { preferredLanguageOf } from '../contact-fields.js'
import { cancelOrder } from '../../commerce/cancel-order.js'
import { confirmCashOnDelivery } from '../../commerce/confirm-cash-on-delivery.js'
import { editOrder } from '../../commerce/edit-order.js'
import { orderViewFromRow } from '../../commerce/order-view.js'
import { placeOrder } from '../../commerce/place-order.js'
import { readOrder } from '../../commerce/read-order.js'
import { readOrderTimeline } from '../../commerce/read-order-timeline.js'
import { decodeCursor, listOrderRows } from '../../db/order-queries.js'
import { streamOrderEvents } from '../orders/order-event-stream.js'
import { placementSettings } from '../payments/api-payments.js'
import { withPaymentAction } from '../payments/payment-action.js'
import { ApiProblem, type FieldError, fieldErrorsDetail } from '../problem.js'
import { showRateLimit } from '../rate-limit.js'
import { adminActionRateLimit, placeOrderBudget } from '../route-rate-limits.js'
import {
  CancelOrderBody,
  EditOrderBody,
  OrderIdParam,
  OrderListQuery,
  OrderPage,
  OrderTimeline,
  OrderView,
  PlaceOrderBody,
  PlacedOrderView,
  shipmentIdPattern,
} from '../schemas/orders.js'
import { problemResponses } from '../schemas/problems.js'
import { IdempotencyKeyHeader, RequiredIdempotencyKeyHeader } from '../schemas/shared-fields.js'
import { validationProblem } from '../validation-hook.js'

const LastEventIdHeader = z.object({
  'last-event-id': z
    .string()
    .regex(/^\d{1,9}$/, 'must be an event id this stream sent (an order version)')
    .optional()
    .openapi({ param: { name: 'last-event-id', in: 'header' }, description: 'Sent by EventSource when it reconnects.' }),
})

const orderJson = { 'application/json': { schema: OrderView } }

/** `/v1/orders`: place, read, list, follow (timeline, live events), edit, cancel, and confirm cash on delivery. */
export function ordersRouter(deps: AppDeps) {
  const anyone = authenticate()
  const admins = authenticate({ roles: ['admin'] })
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  const placing = { ...deps, placement: placementSettings(deps) }
  const placements = placeOrderBudget(deps)

  const place = createRoute({
    method: 'post',
    path: '/',
    summary: 'Place an order',
    description:
      'Prices the lines from the catalog and starts the order. Answers as soon as the order is durably started (status PENDING). ' +
      'Retrying with the same Idempotency-Key and body returns the same order; a different body with the key is 422.',
    // The customer's placement budget is counted with the Idempotency-Key's claim (`placements`), not by a middleware.
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: {
      headers: RequiredIdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: PlaceOrderBody } }, required: true },
    },
    responses: {
      201: {
        description: 'The order, just placed (or replayed), with what the customer needs to finish paying',
        content: { 'application/json': { schema: PlacedOrderView } },
      },
      ...problemResponses(400, 401, 409, 413, 422, 429),
    },
  })
  router.openapi(place, async (c) => {
    const key = c.req.valid('header')['idempotency-key']
    const principal = c.var.principal
    const caller = `${principal.role}:${principal.subject}`
    await placements.sweepIfDue()
    const placed = await placeOrder(placing, {
      caller: principal,
      idempotencyKey: key,
      request: c.req.valid('json'),
      contact: {
        email: principal.email ?? null,
        language: principal.locale ?? preferredLanguageOf(c.req.header('Accept-Language')),
      },
      budget: {
        bucket: placements.name,
        caller,
        limit: placements.limit,
        windowMs: placements.windowMs,
        counted: (hit) => void showRateLimit(c, placements, caller, hit),
      },
    })
    const { replayed } = placed
    const order = await withPaymentAction(deps, placed.order, placed.payment, placed.paymentProgress)
    c.header('Location', `/v1/orders/${order.id}`)
    if (replayed) c.header('Idempotent-Replayed', 'true')
    c.var.logger.info({ orderId: order.id, replayed }, 'order placed')
    return c.json(order, 201)
  })

  const list = createRoute({
    method: 'get',
    path: '/',
    summary: "List the caller's orders (admins: all), newest first",
    description:
      'Keyset pages of at most 100: pass the nextCursor of one page as cursor, with the same filters, for the next. ' +
      'Filters combine with AND. customerId is for admins: a customer sending it gets 400 (a customer only ever sees their own orders).',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { query: OrderListQuery },
    responses: {
      200: { description: 'A page of orders', content: { 'application/json': { schema: OrderPage } } },
      ...problemResponses(400, 401),
    },
  })
  router.openapi(list, async (c) => {
    const query = c.req.valid('query')
    const principal = c.var.principal
    const errors: FieldError[] = []
    const position = query.cursor ? decodeCursor(query.cursor) : null
    if (query.cursor && !position) errors.push({ in: 'query', field: 'cursor', reason: 'is not a cursor this API returned' })
    if (query.customerId !== undefined && principal.role !== 'admin') {
      errors.push({ in: 'query', field: 'customerId', reason: 'is for admins only; customers always see their own orders' })
    }
    if (errors.length > 0) {
      throw new ApiProblem('invalid_request', fieldErrorsDetail(errors), { errors })
    }
    const page = await listOrderRows(deps.db, {
      customerId: principal.role === 'admin' ? (query.customerId ?? null) : principal.subject,
      status: query.status ?? null,
      paymentStatus: query.paymentStatus ?? null,
      fulfillmentStatus: query.fulfillmentStatus ?? null,
      paymentMethod: query.paymentMethod ?? null,
      createdFrom: query.createdFrom ? new Date(query.createdFrom) : null,
      createdTo: query.createdTo ? new Date(query.createdTo) : null,
      limit: query.limit,
      cursor: position,
    })
    return c.json({ data: page.rows.map(orderViewFromRow), nextCursor: page.nextCursor }, 200)
  })

  const get = createRoute({
    method: 'get',
    path: '/{id}',
    summary: 'Read one order',
    description: 'From the read model: never older than what this API last answered about the order (see `version`).',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam },
    responses: { 200: { description: 'The order', content: orderJson }, ...problemResponses(401, 404) },
  })
  router.openapi(get, async (c) => c.json(await readOrder(deps, c.var.principal, c.req.valid('param').id), 200))

  const timeline = createRoute({
    method: 'get',
    path: '/{id}/timeline',
    summary: "The order's history: who did what, when and why",
    description:
      'Oldest first, from the read model. Payment provider references and carrier event ids are left out; ' +
      'actor ids are shown to admins, for customer and admin actors.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam },
    responses: {
      200: { description: 'The timeline', content: { 'application/json': { schema: OrderTimeline } } },
      ...problemResponses(401, 404),
    },
  })
  router.openapi(timeline, async (c) => {
    const { id } = c.req.valid('param')
    return c.json({ orderId: id, data: await readOrderTimeline(deps.db, c.var.principal, id) }, 200)
  })

  const events = createRoute({
    method: 'get',
    path: '/{id}/events',
    summary: "The order's changes, live, as Server-Sent Events",
    description:
      'Each change of the order is an event `order` whose id is the order version and whose data is the order. ' +
      'The stream starts with the current state, unless Last-Event-ID already names it; a comment is sent every 15 s when idle. ' +
      'Each notification the customer is sent about the order is an event `notification` (no id) whose data is the notification.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam, headers: LastEventIdHeader },
    responses: {
      200: {
        description: 'An event stream: each event is `event: order`, `id:` the order version, `data:` the order as JSON',
        content: {
          'text/event-stream': {
            schema: z.object({
              event: z.string().optional(),
              id: z.string().optional(),
              data: z.string().optional(),
              retry: z.number().int().optional(),
            }),
          },
        },
      },
      ...problemResponses(400, 401, 404),
    },
  })
  router.openapi(events, async (c) => {
    const lastEventId = c.req.valid('header')['last-event-id']
    return streamOrderEvents(c, deps, c.var.principal, {
      orderId: c.req.valid('param').id,
      lastEventId: lastEventId === undefined ? null : Number(lastEventId),
    })
  })

  const cancel = createRoute({
    method: 'post',
    path: '/{id}/cancellation',
    summary: 'Cancel an order before the carrier picks it up',
    description:
      'The owner or an admin may cancel until pickup; afterwards the answer is 409 with the reason. ' +
      'Once the carrier has some parcels of an order, `shipmentIds` cancels the parcels it does not have yet.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: {
      params: OrderIdParam,
      headers: IdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: CancelOrderBody } }, required: false },
    },
    responses: { 200: { description: 'The cancelled order', content: orderJson }, ...problemResponses(400, 401, 404, 409, 413) },
  })
  router.openapi(cancel, async (c) => {
    const body = c.req.valid('json') as z.infer<typeof CancelOrderBody> | undefined
    const orderId = c.req.valid('param').id
    const foreign: FieldError[] = (body?.shipmentIds ?? []).flatMap((shipmentId, index) =>
      shipmentIdPattern.exec(shipmentId)?.[1] === orderId
        ? []
        : [{ in: 'body' as const, field: `shipmentIds.${index}`, reason: `is not a parcel of order ${orderId}` }],
    )
    if (foreign.length > 0) throw new ApiProblem('invalid_request', fieldErrorsDetail(foreign), { errors: foreign })
    const order = await cancelOrder(deps, c.var.principal, orderId, {
      note: body?.reason ?? null,
      requestKey: c.req.valid('header')['idempotency-key'] ?? null,
      shipmentIds: body?.shipmentIds,
    })
    return c.json(order, 200)
  })

  const edit = createRoute({
    method: 'post',
    path: '/{id}/edits',
    summary: 'Edit an order before the carrier has any parcel',
    description:
      'The owner or an admin sends the new full set of lines and, optionally, a new shipping address. The order re-prices ' +
      'from the catalog, reserves the difference, re-plans its parcels and settles the money, then answers the edited order. ' +
      '409 with `reason` (nothing changed): `already_shipped`, `order_closed`, `unknown_product`, `not_sold_in_currency`, ' +
      '`nothing_changed`, `out_of_stock`, `payment_declined`. Idempotency-Key is required: the same edit sent twice applies once.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: {
      params: OrderIdParam,
      headers: RequiredIdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: EditOrderBody } }, required: true },
    },
    responses: {
      200: { description: 'The edited order (or, for a retry, the first answer)', content: orderJson },
      ...problemResponses(400, 401, 404, 409, 413, 422),
    },
  })
  router.openapi(edit, async (c) => {
    const orderId = c.req.valid('param').id
    const { order, replayed } = await editOrder(deps, c.var.principal, orderId, {
      request: c.req.valid('json'),
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    })
    if (replayed) c.header('Idempotent-Replayed', 'true')
    c.var.logger.info({ orderId, total: order.totals.total, replayed }, 'order edited')
    return c.json(order, 200)
  })

  const confirmCod = createRoute({
    method: 'post',
    path: '/{id}/cod-confirmation',
    summary: 'Confirm a cash-on-delivery order (admin)',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: { params: OrderIdParam, headers: IdempotencyKeyHeader },
    responses: {
      200: { description: 'The confirmed order', content: orderJson },
      // 400: an Idempotency-Key that is not one.
      ...problemResponses(400, 401, 403, 404, 409, 429),
    },
  })
  router.openapi(confirmCod, async (c) => {
    const order = await confirmCashOnDelivery(deps, c.var.principal, c.req.valid('param').id, {
      requestKey: c.req.valid('header')['idempotency-key'] ?? null,
    })
    return c.json(order, 200)
  })

  return router
}

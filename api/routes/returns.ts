import { OpenAPIHono, createRoute } from '@hono/zod-openapi'
import { approveReturn, receiveReturn, rejectReturn } from '../../commerce/return-acts.js'
import { readCodRefundsOwed, readOrderReturns, readReturn } from '../../commerce/read-returns.js'
import { requestReturn } from '../../commerce/request-return.js'
import { settleCodRefund } from '../../commerce/settle-cod-refund.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { adminOnly, authenticate } from '../auth.js'
import { adminActionRateLimit } from '../route-rate-limits.js'
import { OrderIdParam } from '../schemas/orders.js'
import { problemResponses } from '../schemas/problems.js'
import {
  CodRefundList,
  CodRefundParams,
  CodRefundSettlementBody,
  CodRefundView,
  RequestReturnBody,
  ReturnDecisionBody,
  ReturnIdParam,
  ReturnList,
  ReturnReceiptBody,
  ReturnView,
} from '../schemas/returns.js'
import { IdempotencyKeyHeader, RequiredIdempotencyKeyHeader } from '../schemas/shared-fields.js'
import { validationProblem } from '../validation-hook.js'

const returnJson = { 'application/json': { schema: ReturnView } }

/**
 * `/v1/orders/{id}/returns` and `/v1/orders/{id}/cod-refunds`: asking for a
 * return of a delivered order, an order's returns, and the refunds a
 * cash-on-delivery order owes (settled by an admin).
 */
export function orderReturnsRouter(deps: AppDeps) {
  const anyone = authenticate()
  const admins = authenticate({ roles: ['admin'] })
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })

  const request = createRoute({
    method: 'post',
    path: '/{id}/returns',
    summary: 'Ask to send items of a delivered order back (owner or admin)',
    description:
      'Each line with a quantity and a reason; `replacementLines` asks for an exchange instead of money. Within RETURN_WINDOW ' +
      'after delivery (30 days by default), never more than was delivered less what is already being returned. ' +
      "Starts the order's after-sales workflow (`order-<id>-aftersales`) on the first request. 409 with `reason`: " +
      '`not_delivered`, `return_window_closed`, `unknown_sku`, `more_than_delivered`, `exchange_not_allowed`. ' +
      'Retrying with the same Idempotency-Key and body answers the same return.',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: {
      params: OrderIdParam,
      headers: RequiredIdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: RequestReturnBody } }, required: true },
    },
    responses: {
      201: { description: 'The return, REQUESTED', content: returnJson },
      ...problemResponses(400, 401, 404, 409, 413, 422),
    },
  })
  router.openapi(request, async (c) => {
    const orderId = c.req.valid('param').id
    const { ret, replayed } = await requestReturn(deps, c.var.principal, orderId, {
      request: c.req.valid('json'),
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    })
    c.header('Location', `/v1/returns/${ret.id}`)
    if (replayed) c.header('Idempotent-Replayed', 'true')
    c.var.logger.info({ orderId, returnId: ret.id, replayed }, 'return requested')
    return c.json(ret, 201)
  })

  const list = createRoute({
    method: 'get',
    path: '/{id}/returns',
    summary: "An order's returns, oldest first (owner or admin)",
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam },
    responses: {
      200: { description: 'The returns', content: { 'application/json': { schema: ReturnList } } },
      ...problemResponses(401, 404),
    },
  })
  router.openapi(list, async (c) => {
    const { id } = c.req.valid('param')
    return c.json({ orderId: id, data: await readOrderReturns(deps.db, c.var.principal, id) }, 200)
  })

  const codRefunds = createRoute({
    method: 'get',
    path: '/{id}/cod-refunds',
    summary: 'The refunds a cash-on-delivery order owes its customer, settled or not (owner or admin)',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam },
    responses: {
      200: { description: 'The refunds owed', content: { 'application/json': { schema: CodRefundList } } },
      ...problemResponses(401, 404),
    },
  })
  router.openapi(codRefunds, async (c) => {
    const { id } = c.req.valid('param')
    return c.json({ orderId: id, data: await readCodRefundsOwed(deps.db, c.var.principal, id) }, 200)
  })

  const settle = createRoute({
    method: 'post',
    path: '/{id}/cod-refunds/{refundId}/settlement',
    summary: 'Record the bank transfer of a cash-on-delivery refund owed (admin)',
    description:
      'A cash-on-delivery customer has no card to refund: what a return gives back is owed, and paid outside the system. ' +
      'Once per refund: a retry answers the first settlement; 409 `already_settled` for another one.',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: {
      params: CodRefundParams,
      body: { content: { 'application/json': { schema: CodRefundSettlementBody } }, required: true },
    },
    responses: {
      200: { description: 'The refund, settled', content: { 'application/json': { schema: CodRefundView } } },
      ...problemResponses(400, 401, 403, 404, 409, 413, 429),
    },
  })
  router.openapi(settle, async (c) => {
    const { id, refundId } = c.req.valid('param')
    const body = c.req.valid('json')
    const settled = await settleCodRefund(deps, c.var.principal, id, {
      refundId,
      reference: body.reference,
      note: body.note ?? null,
    })
    c.var.logger.info({ orderId: id, refundId }, 'COD refund settled')
    return c.json(settled, 200)
  })

  return router
}

/** `/v1/returns/{id}`: one return, and an admin's approval, rejection and receipt. */
export function returnsRouter(deps: AppDeps) {
  const anyone = authenticate()
  const admins = authenticate({ roles: ['admin'] })
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })

  const get = createRoute({
    method: 'get',
    path: '/{id}',
    summary: 'Read one return (its order’s owner or an admin)',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: ReturnIdParam },
    responses: { 200: { description: 'The return', content: returnJson }, ...problemResponses(401, 404) },
  })
  router.openapi(get, async (c) => c.json(await readReturn(deps.db, c.var.principal, c.req.valid('param').id), 200))

  const decision = (act: 'approval' | 'rejection') =>
    createRoute({
      method: 'post',
      path: `/{id}/${act}`,
      summary:
        act === 'approval' ? 'Approve a requested return: a return label is bought (admin)' : 'Reject a requested return (admin)',
      description:
        act === 'approval'
          ? 'The answer carries the return label; the customer has RETURN_SHIP_DEADLINE (14 days by default) to hand the parcel over, ' +
            'or the return closes by itself. 409 `not_requested` once decided.'
          : 'Nothing comes back, nothing is refunded. 409 `not_requested` once decided.',
      middleware: [admins, adminActionRateLimit(deps)] as const,
      ...adminOnly,
      request: {
        params: ReturnIdParam,
        headers: IdempotencyKeyHeader,
        body: { content: { 'application/json': { schema: ReturnDecisionBody } }, required: false },
      },
      responses: {
        200: { description: act === 'approval' ? 'The return, APPROVED' : 'The return, REJECTED', content: returnJson },
        ...problemResponses(400, 401, 403, 404, 409, 413, 429),
      },
    })
  router.openapi(decision('approval'), async (c) => {
    const body = c.req.valid('json') as { note?: string } | undefined
    const ret = await approveReturn(deps, c.var.principal, c.req.valid('param').id, {
      note: body?.note ?? null,
      requestKey: c.req.valid('header')['idempotency-key'] ?? null,
    })
    c.var.logger.info({ orderId: ret.orderId, returnId: ret.id }, 'return approved')
    return c.json(ret, 200)
  })
  router.openapi(decision('rejection'), async (c) => {
    const body = c.req.valid('json') as { note?: string } | undefined
    const ret = await rejectReturn(deps, c.var.principal, c.req.valid('param').id, {
      note: body?.note ?? null,
      requestKey: c.req.valid('header')['idempotency-key'] ?? null,
    })
    c.var.logger.info({ orderId: ret.orderId, returnId: ret.id }, 'return rejected')
    return c.json(ret, 200)
  })

  const receipt = createRoute({
    method: 'post',
    path: '/{id}/receipt',
    summary: 'Record what arrived of an approved return (admin)',
    description:
      'Resellable units go back on the shelf, the rest are written off; the lines received are refunded at the price paid ' +
      '(shipping too when the whole order came back or a reason is the shop’s fault), recorded as owed for cash on delivery, ' +
      'or the exchange ships. 409 with `reason`: `not_receivable`, `received_more_than_returned`.',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: {
      params: ReturnIdParam,
      headers: IdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: ReturnReceiptBody } }, required: true },
    },
    responses: {
      200: { description: 'The return, REFUNDED (or RECEIVED while a refund is owed)', content: returnJson },
      ...problemResponses(400, 401, 403, 404, 409, 413, 429),
    },
  })
  router.openapi(receipt, async (c) => {
    const body = c.req.valid('json')
    const ret = await receiveReturn(deps, c.var.principal, c.req.valid('param').id, {
      lines: body.lines,
      note: body.note ?? null,
      requestKey: c.req.valid('header')['idempotency-key'] ?? null,
    })
    c.var.logger.info({ orderId: ret.orderId, returnId: ret.id, status: ret.status }, 'return received')
    return c.json(ret, 200)
  })

  return router
}

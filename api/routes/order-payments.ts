import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { checkReturnedPayment } from '../../commerce/check-returned-payment.js'
import { findVisibleOrder } from '../../commerce/read-order.js'
import { refundPayment } from '../../commerce/refund-payment.js'
import { settleCodCollection } from '../../commerce/settle-cod-collection.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { adminOnly, authenticate } from '../auth.js'
import { adminActionRateLimit } from '../route-rate-limits.js'
import { sandboxOnlyPayments } from '../payments/api-payments.js'
import { paymentActionOf } from '../payments/payment-action.js'
import { OrderIdParam, OrderView } from '../schemas/orders.js'
import { CodCollection, CodSettlementBody, PaymentAction, RefundBody } from '../schemas/payments.js'
import { problemResponses } from '../schemas/problems.js'
import { RequiredIdempotencyKeyHeader } from '../schemas/shared-fields.js'
import { validationProblem } from '../validation-hook.js'

/**
 * `/v1/orders/{id}/payment-*`, `/refunds` and `/cod-settlement`: what the
 * customer needs to finish paying (read fresh from the provider), the
 * customer's return from PayPal's approval page, an admin refunding part or
 * all of a payment, and an admin settling cash on delivery.
 */
export function orderPaymentsRouter(deps: AppDeps) {
  const anyone = authenticate()
  const admins = authenticate({ roles: ['admin'] })
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })

  const action = createRoute({
    method: 'get',
    path: '/{id}/payment-action',
    summary: 'What the customer needs to finish paying (3-D Secure client secret, PayPal approval link)',
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam },
    responses: {
      200: {
        description: 'The action, or null when the payment waits for nobody',
        content: { 'application/json': { schema: z.object({ paymentAction: PaymentAction.nullable() }) } },
      },
      ...problemResponses(401, 404),
    },
  })
  router.openapi(action, async (c) => {
    const row = await findVisibleOrder(deps.db, c.var.principal, c.req.valid('param').id)
    const progress = {
      paymentStatus: row.payment_status as 'ACTION_REQUIRED',
      provider: row.payment.provider,
      reference: row.payment.reference,
    }
    return c.json({ paymentAction: await paymentActionOf(deps.payments ?? sandboxOnlyPayments, progress) }, 200)
  })

  const paymentReturn = createRoute({
    method: 'post',
    path: '/{id}/payment-return',
    summary: 'The customer is back from the provider (PayPal approval): check the payment now',
    description:
      "Nothing is taken on the client's word: the order asks the provider where the payment stands. A webhook does the same if this call never comes.",
    middleware: [anyone] as const,
    security: [{ bearerAuth: [] }],
    request: { params: OrderIdParam },
    responses: {
      202: {
        description: 'The order will check with the provider',
        content: { 'application/json': { schema: z.object({ status: z.literal('checking') }) } },
      },
      ...problemResponses(401, 404, 409),
    },
  })
  router.openapi(paymentReturn, async (c) => {
    await checkReturnedPayment(deps, c.var.principal, c.req.valid('param').id, { returnId: c.var.requestId })
    return c.json({ status: 'checking' as const }, 202)
  })

  const refund = createRoute({
    method: 'post',
    path: '/{id}/refunds',
    summary: 'Refund part or all of a captured card or PayPal payment (admin)',
    description:
      'Allowed once the money is captured (at pickup, or at approval for PayPal with intent CAPTURE), while the parcel travels ' +
      'and until the refund window after delivery closes (REFUND_WINDOW, 30 days by default). Several partial refunds may follow ' +
      "each other, up to what was captured. Once the order's workflow has closed on delivery, the refund is a goodwill refund of " +
      "the order's after-sales workflow (`order-<id>-aftersales`), with the same rules. 409 with `reason`: `exceeds_refundable`, " +
      '`not_refundable` (nothing captured, or cash on delivery), `order_closed`, `refund_window_closed`. ' +
      'Retrying with the same Idempotency-Key never refunds twice.',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: {
      params: OrderIdParam,
      headers: RequiredIdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: RefundBody } }, required: true },
    },
    responses: {
      200: { description: 'The order once the provider has refunded', content: { 'application/json': { schema: OrderView } } },
      ...problemResponses(400, 401, 403, 404, 409, 413, 422, 429),
    },
  })
  router.openapi(refund, async (c) => {
    const orderId = c.req.valid('param').id
    const body = c.req.valid('json')
    const { order, replayed } = await refundPayment(deps, c.var.principal, orderId, {
      request: body,
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    })
    if (replayed) c.header('Idempotent-Replayed', 'true')
    c.var.logger.info({ orderId, amount: body.amount, reason: body.reason, replayed }, 'payment refunded')
    return c.json(order, 200)
  })

  const settle = createRoute({
    method: 'post',
    path: '/{id}/cod-settlement',
    summary: 'Mark the cash of a delivered cash-on-delivery order as settled with the carrier (admin)',
    description:
      'Idempotent: settling again answers the first settlement. The daily reconciliation lists what is still unsettled.',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: {
      params: OrderIdParam,
      body: { content: { 'application/json': { schema: CodSettlementBody } }, required: false },
    },
    responses: {
      200: { description: 'The settled collection', content: { 'application/json': { schema: CodCollection } } },
      ...problemResponses(400, 401, 403, 404, 409, 413, 429),
    },
  })
  router.openapi(settle, async (c) => {
    const orderId = c.req.valid('param').id
    const body = c.req.valid('json') as { amount?: number } | undefined
    const settled = await settleCodCollection(deps.db, c.var.principal, orderId, { amount: body?.amount ?? null })
    c.var.logger.info({ orderId, settledBy: settled.settledBy }, 'COD settled')
    return c.json(settled, 200)
  })

  return router
}

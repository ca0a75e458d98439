import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { orderWorkflowId, paymentEventSignal, statusQuery } from '../../workflows/messages.js'
import type { PaymentProviderName } from '../../domain/vocabulary.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { adminOnly, authenticate, type Principal } from '../auth.js'
import { adminActionRateLimit } from '../route-rate-limits.js'
import { settleCodCollection } from '../../activities/payments/cod-collections.js'
import { refundPayment } from '../orders/order-actions.js'
import { findOrderRow } from '../orders/order-queries.js'
import { sandboxOnlyPayments } from '../payments/api-payments.js'
import { paymentActionOf } from '../payments/payment-action.js'
import { ApiProblem } from '../problem.js'
import { OrderIdParam, OrderView } from '../schemas/orders.js'
import { CodCollection, CodSettlementBody, PaymentAction, RefundBody } from '../schemas/payments.js'
import { problemResponses } from '../schemas/problems.js'
import { RequiredIdempotencyKeyHeader } from '../schemas/shared-fields.js'
import { withinTemporalDeadline } from '../temporal-deadline.js'
import { validationProblem } from '../validation-hook.js'

/** The order's read-model row, if the caller may see it; 404 otherwise, as for orders. */
async function visibleOrder(deps: AppDeps, principal: Principal, orderId: string) {
  const row = await findOrderRow(deps.db, orderId)
  if (!row || (principal.role !== 'admin' && row.customer_id !== principal.subject)) {
    throw new ApiProblem('order_not_found', `There is no order ${orderId}`)
  }
  return row
}

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
    const row = await visibleOrder(deps, c.var.principal, c.req.valid('param').id)
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
    const row = await visibleOrder(deps, c.var.principal, c.req.valid('param').id)
    const handle = deps.temporal.workflow.getHandle(orderWorkflowId(row.id))
    // The workflow knows first: the customer may be back before the read model has caught up.
    const live = await deps.temporal.connection
      .withDeadline(Date.now() + 2_000, () => handle.query(statusQuery))
      .catch(() => null)
    const status = live?.paymentStatus ?? row.payment_status
    const { provider, reference } = live?.payment ?? row.payment
    if (status !== 'ACTION_REQUIRED' || !provider || !reference) {
      throw new ApiProblem('payment_not_awaiting_customer', `The payment is ${status.toLowerCase()}`)
    }
    await withinTemporalDeadline(deps, () =>
      handle.signal(paymentEventSignal, {
        eventId: `customer-return-${c.var.requestId}`,
        provider: provider as PaymentProviderName,
        type: 'customer_returned',
        reference,
      }),
    )
    return c.json({ status: 'checking' as const }, 202)
  })

  const refund = createRoute({
    method: 'post',
    path: '/{id}/refunds',
    summary: 'Refund part or all of a captured card or PayPal payment (admin)',
    description:
      'Allowed once the money is captured (at pickup, or at approval for PayPal with intent CAPTURE), while the parcel travels ' +
      'and until the refund window after delivery closes (REFUND_WINDOW, 30 days by default). Several partial refunds may follow ' +
      'each other, up to what was captured. 409 with `reason`: `exceeds_refundable`, `not_refundable` (nothing captured, or ' +
      'cash on delivery), `order_closed`, `refund_window_closed`. Retrying with the same Idempotency-Key never refunds twice.',
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
      body,
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
    const row = await visibleOrder(deps, c.var.principal, orderId)
    if (row.payment_method !== 'cod') {
      throw new ApiProblem('order_update_refused', 'Only cash-on-delivery orders are settled', { reason: 'not_cash_on_delivery' })
    }
    const body = c.req.valid('json') as { amount?: number } | undefined
    const settled = await settleCodCollection(deps.db, {
      orderId,
      settledBy: c.var.principal.subject,
      amount: body?.amount ?? null,
    })
    if (!settled) {
      throw new ApiProblem('order_update_refused', 'The carrier has not reported this order delivered yet', {
        reason: 'not_delivered',
      })
    }
    c.var.logger.info({ orderId, settledBy: settled.settled_by }, 'COD settled')
    return c.json(
      {
        orderId: settled.order_id,
        currency: settled.currency,
        expectedAmount: settled.expected_amount,
        collectedAmount: settled.collected_amount,
        outcome: settled.outcome,
        deliveredAt: settled.delivered_at.toISOString(),
        settledAt: settled.settled_at?.toISOString() ?? null,
        settledBy: settled.settled_by,
        settledAmount: settled.settled_amount,
      },
      200,
    )
  })

  return router
}

import { randomUUID } from 'node:crypto'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client'
import { findCatalogPrices, findShippingRate } from '../../db/catalog.js'
import { saveOrderSnapshot } from '../../db/order-read-model.js'
import { orderWorkflowId } from '../../workflows/messages.js'
import { priceLines, type PricingProblem } from '../../domain/order-pricing.js'
import type { PaymentInstruction, PlaceOrderInput } from '../../domain/order-types.js'
import type { orderWorkflow } from '../../workflows/order-workflow.js'
import { placedOrder } from '../../domain/placed-order.js'
import { CustomerIdKey, OrderStatusKey, OrderTotalKey, PaymentMethodKey } from '../../workflows/search-attributes.js'
import type { AppDeps } from '../app-deps.js'
import type { Principal } from '../auth.js'
import {
  type HeldIdempotencyKey,
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  unlockIdempotencyKey,
} from '../idempotency/idempotency-keys.js'
import { requestFingerprint } from '../idempotency/request-fingerprint.js'
import { orderViewFromState, storedPlacementView } from '../order-view.js'
import { ApiProblem, type FieldError } from '../problem.js'
import { withinTemporalDeadline } from '../temporal-deadline.js'
import { type ApiPayments, paymentInstructionFor, sandboxOnlyPayments } from '../payments/api-payments.js'
import { paymentActionOf, paymentProgressOf } from '../payments/payment-action.js'
import type { OrderView, PlaceOrderBody, PlacedOrderView } from '../schemas.js'

export interface PlaceOrderCommand {
  principal: Principal
  idempotencyKey: string
  body: PlaceOrderBody
}

export interface PlacedOrder {
  order: PlacedOrderView
  /** True when this answers a retry of an earlier request with the same key. */
  replayed: boolean
}

function pricingErrors(problems: PricingProblem[]): FieldError[] {
  return problems.map((problem) => {
    switch (problem.kind) {
      case 'unknown_sku':
        return { in: 'body', field: `lines.${problem.index}.sku`, reason: `no product has SKU ${problem.sku}` }
      case 'unavailable_sku':
        return { in: 'body', field: `lines.${problem.index}.sku`, reason: `${problem.sku} is not for sale` }
      case 'currency_not_sold':
        return { in: 'body', field: 'currency', reason: `the store does not sell in ${problem.currency}` }
    }
  })
}

/**
 * Places an order: prices it from the catalog, starts its workflow exactly
 * once, and answers as soon as the workflow is durably started.
 *
 * The Idempotency-Key decides the order id, so a retry (even one racing the
 * first request) starts no second workflow and gets the same answer.
 */
export async function placeOrder(deps: AppDeps, command: PlaceOrderCommand): Promise<PlacedOrder> {
  const { db } = deps
  const payments = deps.payments ?? sandboxOnlyPayments
  const payment = paymentInstructionFor(payments, command.body)
  /** A Stripe or PayPal payment may wait for the customer: hand them what they need, read fresh each time. */
  const withPaymentAction = async (order: OrderView): Promise<PlacedOrderView> => {
    const waits = payment.method === 'paypal' || (payment.method === 'card' && payment.provider === 'stripe')
    const progress = waits ? await paymentProgressOf(deps, order.id, 10_000) : null
    return { ...order, paymentAction: await paymentActionOf(payments, progress) }
  }
  const claim = await claimIdempotencyKey(db, {
    principal: command.principal,
    key: command.idempotencyKey,
    fingerprint: requestFingerprint(command.body),
    orderId: randomUUID(),
  })
  if (claim.kind === 'answered') return { order: await withPaymentAction(storedPlacementView(claim.body)), replayed: true }
  let order: OrderView
  try {
    order = await startClaimedOrder(deps, command, claim, { payment, payments })
  } catch (error) {
    // A refusal freed the key already; after any other failure a retry may take the key (and its order id) over at once.
    if (!(error instanceof ApiProblem)) await unlockIdempotencyKey(db, claim).catch(() => undefined)
    throw error
  }
  return { order: await withPaymentAction(order), replayed: false }
}

/** Prices the order under a held key, starts its workflow, and stores the answer for the key's retries. */
async function startClaimedOrder(
  deps: AppDeps,
  command: PlaceOrderCommand,
  claim: HeldIdempotencyKey,
  { payment, payments }: { payment: PaymentInstruction; payments: ApiPayments },
): Promise<OrderView> {
  const { db, temporal } = deps
  const { body, principal } = command
  const orderId = claim.orderId
  if (orderId === null) throw new Error('an order placement key always decides an order id')
  const currency = body.currency ?? deps.storeCurrency
  const [prices, rate] = await Promise.all([
    findCatalogPrices(
      db,
      body.lines.map((line) => line.sku),
      currency,
    ),
    findShippingRate(db, currency),
  ])
  const quote = priceLines(body.lines, currency, prices, rate)
  if (!quote.ok) {
    await releaseIdempotencyKey(db, claim)
    const errors = pricingErrors(quote.problems)
    throw new ApiProblem('order_not_priceable', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors })
  }

  const placedAt = claim.createdAt.toISOString()
  const input: PlaceOrderInput = {
    orderId,
    customerId: principal.subject,
    lines: body.lines,
    currency,
    shippingAddress: {
      name: body.shippingAddress.name,
      line1: body.shippingAddress.line1,
      line2: body.shippingAddress.line2 ?? null,
      city: body.shippingAddress.city,
      region: body.shippingAddress.region ?? null,
      postalCode: body.shippingAddress.postalCode,
      country: body.shippingAddress.country,
    },
    payment,
    quote: { lines: quote.lines, totals: quote.totals },
    placedAt,
    codConfirmationTimeoutMs: deps.codConfirmationTimeoutMs,
    paymentActionTimeoutMs: payments.actionTimeoutMs,
    authorizationValidityMs: payments.authorizationValidityMs,
    ...(deps.refundWindowMs ? { refundWindowMs: deps.refundWindowMs } : {}),
  }
  const { timeline: _none, ...snapshot } = placedOrder(input)
  try {
    await withinTemporalDeadline(deps, () =>
      temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', {
        workflowId: orderWorkflowId(input.orderId),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: OrderStatusKey, value: snapshot.status },
          { key: CustomerIdKey, value: principal.subject },
          { key: PaymentMethodKey, value: body.paymentMethod },
          { key: OrderTotalKey, value: quote.totals.total },
        ],
      }),
    )
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
  }

  await saveOrderSnapshot(db, snapshot, [])
  const order = orderViewFromState(snapshot)
  await completeIdempotencyKey(db, claim, { status: 201, body: order })
  return order
}

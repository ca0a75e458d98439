import { createHash, randomUUID } from 'node:crypto'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client'
import type { Kysely } from 'kysely'
import { findCatalogPrices, findShippingRate } from '../../db/catalog.js'
import { saveOrderSnapshot } from '../../db/order-read-model.js'
import type { Database } from '../../db/schema.js'
import { orderWorkflowId } from '../../workflows/messages.js'
import { priceLines, type PricingProblem } from '../../workflows/order-pricing.js'
import type { PlaceOrderInput } from '../../workflows/order-types.js'
import type { orderWorkflow } from '../../workflows/order-workflow.js'
import { placedOrder } from '../../workflows/placed-order.js'
import { CustomerIdKey, OrderStatusKey, OrderTotalKey, PaymentMethodKey } from '../../workflows/search-attributes.js'
import type { AppDeps } from '../app-deps.js'
import type { Principal } from '../auth.js'
import { orderViewFromState } from '../order-view.js'
import { ApiProblem, type FieldError } from '../problem.js'
import { paymentInstructionFor, sandboxOnlyPayments } from '../payments/api-payments.js'
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

/** A stable fingerprint of a request body: key order does not matter. */
function requestHash(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex')
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

/** Claims the idempotency key for this request, or finds who claimed it first. */
async function claimKey(db: Kysely<Database>, command: PlaceOrderCommand, hash: string) {
  const principal = `${command.principal.role}:${command.principal.subject}`
  await db
    .insertInto('idempotency_keys')
    .values({
      principal,
      key: command.idempotencyKey,
      request_hash: hash,
      order_id: randomUUID(),
      response_status: null,
      response_body: null,
    })
    .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
    .execute()
  const claim = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('principal', '=', principal)
    .where('key', '=', command.idempotencyKey)
    .executeTakeFirstOrThrow()
  if (claim.request_hash !== hash) {
    throw new ApiProblem('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body')
  }
  return { ...claim, principal }
}

/**
 * Places an order: prices it from the catalog, starts its workflow exactly
 * once, and answers as soon as the workflow is durably started.
 *
 * The Idempotency-Key decides the order id, so a retry (even one racing the
 * first request) starts no second workflow and gets the same answer.
 */
export async function placeOrder(deps: AppDeps, command: PlaceOrderCommand): Promise<PlacedOrder> {
  const { db, temporal } = deps
  const { body, principal } = command
  const payments = deps.payments ?? sandboxOnlyPayments
  const payment = paymentInstructionFor(payments, body)
  const hash = requestHash(body)
  const claim = await claimKey(db, command, hash)
  /** A Stripe or PayPal payment may wait for the customer: hand them what they need, read fresh each time. */
  const withPaymentAction = async (order: OrderView): Promise<PlacedOrderView> => {
    const waits = payment.method === 'paypal' || (payment.method === 'card' && payment.provider === 'stripe')
    const progress = waits ? await paymentProgressOf(deps, order.id, 10_000) : null
    return { ...order, paymentAction: await paymentActionOf(payments, progress) }
  }
  if (claim.response_body) {
    return { order: await withPaymentAction(claim.response_body as unknown as OrderView), replayed: true }
  }

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
    await db.deleteFrom('idempotency_keys').where('principal', '=', claim.principal).where('key', '=', claim.key).execute()
    const errors = pricingErrors(quote.problems)
    throw new ApiProblem('order_not_priceable', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), { errors })
  }

  const placedAt = claim.created_at.toISOString()
  const input: PlaceOrderInput = {
    orderId: claim.order_id,
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
  }
  const { timeline: _none, ...snapshot } = placedOrder(input)
  try {
    await temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', {
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
    })
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
  }

  await saveOrderSnapshot(db, snapshot, [])
  const order = orderViewFromState(snapshot)
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: 201, response_body: JSON.stringify(order) })
    .where('principal', '=', claim.principal)
    .where('key', '=', claim.key)
    .where('response_body', 'is', null)
    .execute()
  return { order: await withPaymentAction(order), replayed: false }
}

import { randomUUID } from 'node:crypto'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client'
import { findCatalogPrices, findShippingRate } from '../db/catalog.js'
import type { Kysely } from '../db/connection.js'
import { type OrderContact, recordOrderContact } from '../db/order-contacts.js'
import { saveOrderSnapshot } from '../db/order-read-model.js'
import type { Database } from '../db/schema.js'
import { priceLines } from '../domain/order-pricing.js'
import { orderDetails, orderSummary } from '../domain/order-summaries.js'
import type { OrderLineRequest, PaymentInstruction, PlaceOrderInput, ShippingAddress } from '../domain/order-types.js'
import { placedOrder } from '../domain/placed-order.js'
import type { PaymentMethod } from '../domain/vocabulary.js'
import { orderWorkflowId } from '../workflows/messages.js'
import type { orderWorkflow } from '../workflows/index.js'
import { CustomerIdKey, OrderStatusKey, OrderTotalKey, PaymentMethodKey } from '../workflows/search-attributes.js'
import type { OrderView } from '../api/schemas/orders.js'
import type { Caller } from './caller.js'
import { OrderNotPriceable, PaymentMethodUnavailable } from './commerce-errors.js'
import { underIdempotencyKey } from './idempotency-key.js'
import { orderViewFromState, storedPlacementView } from './order-view.js'
import { requestFingerprint } from './request-fingerprint.js'
import { type TemporalDeps, withinTemporalDeadline } from './temporal-deadline.js'

/** What a customer asks for: the order's lines, where it goes, and how it is paid. */
export interface OrderRequest {
  lines: OrderLineRequest[]
  paymentMethod: PaymentMethod
  /** The card token (cards only). */
  paymentToken?: string | undefined
  /** The store currency when omitted. */
  currency?: string | undefined
  shippingAddress: {
    name: string
    line1: string
    line2?: string | null | undefined
    city: string
    region?: string | null | undefined
    postalCode: string
    country: string
  }
  /** Where this order's mails go, instead of the token's address. */
  contactEmail?: string | undefined
}

/** The store's rules for new orders: its currency, its windows, and the payment providers it has. */
export interface PlacementSettings {
  storeCurrency: string
  codConfirmationTimeoutMs: number
  /** How long after delivery a card or PayPal order may be refunded; none after delivery when omitted. */
  refundWindowMs?: number | undefined
  paymentActionTimeoutMs: number
  authorizationValidityMs: number
  /** Where cards are charged: Stripe when it is configured, else the sandbox. */
  cardProvider: 'stripe' | 'sandbox'
  /** Whether PayPal is configured. */
  paypalAccepted: boolean
}

/** What placing an order needs: the catalog, Temporal, and the store's rules. */
export interface PlaceOrderDeps extends TemporalDeps {
  db: Kysely<Database>
  taskQueue: string
  placement: PlacementSettings
}

export interface PlaceOrderCommand {
  caller: Caller
  idempotencyKey: string
  request: OrderRequest
  /** What the caller's token (or request) says of them: their address and language; the request's address wins. */
  contact?: OrderContact
}

export interface PlacedOrder {
  order: OrderView
  /** How the order is paid (its provider chosen for good). */
  payment: PaymentInstruction
  /** True when this answers a retry of an earlier request with the same key. */
  replayed: boolean
}

/**
 * How an order will be paid, with its provider chosen now and for good:
 * cards go to Stripe when it is configured, else to the sandbox; PayPal only
 * when it is configured.
 *
 * @throws PaymentMethodUnavailable for PayPal on a store without it.
 */
export function paymentInstructionFor(settings: PlacementSettings, request: OrderRequest): PaymentInstruction {
  switch (request.paymentMethod) {
    case 'card':
      return { method: 'card', token: request.paymentToken ?? '', provider: settings.cardProvider }
    case 'paypal':
      if (!settings.paypalAccepted) throw new PaymentMethodUnavailable('paypal')
      return { method: 'paypal' }
    case 'cod':
      return { method: 'cod' }
  }
}

/** The windows an order is placed with; the workflow's own defaults apply to those left out. */
export interface OrderWindows {
  codConfirmationTimeoutMs: number
  paymentActionTimeoutMs?: number | undefined
  authorizationValidityMs?: number | undefined
  refundWindowMs?: number | undefined
}

/** The order to start, before it is priced. */
export interface OrderPlacement {
  orderId: string
  customerId: string
  lines: OrderLineRequest[]
  currency: string
  shippingAddress: ShippingAddress
  payment: PaymentInstruction
  /** When the order was placed (ISO 8601). */
  placedAt: string
}

/**
 * Prices an order from the catalog and builds its workflow's input, with the
 * store's windows.
 *
 * @throws OrderNotPriceable naming each unknown or unavailable SKU, or a currency not sold.
 */
export async function priceOrder(
  db: Kysely<Database>,
  settings: OrderWindows,
  placement: OrderPlacement,
): Promise<PlaceOrderInput> {
  const { currency, lines } = placement
  const [prices, rate] = await Promise.all([
    findCatalogPrices(
      db,
      lines.map((line) => line.sku),
      currency,
    ),
    findShippingRate(db, currency),
  ])
  const quote = priceLines(lines, currency, prices, rate)
  if (!quote.ok) throw new OrderNotPriceable(quote.problems)
  return {
    ...placement,
    quote: { lines: quote.lines, totals: quote.totals },
    codConfirmationTimeoutMs: settings.codConfirmationTimeoutMs,
    ...(settings.paymentActionTimeoutMs ? { paymentActionTimeoutMs: settings.paymentActionTimeoutMs } : {}),
    ...(settings.authorizationValidityMs ? { authorizationValidityMs: settings.authorizationValidityMs } : {}),
    ...(settings.refundWindowMs ? { refundWindowMs: settings.refundWindowMs } : {}),
  }
}

/**
 * Starts the order's workflow (once: a second start of the same order id is
 * a no-op) with its search attributes, and writes its first snapshot to the
 * read model. Returns the order as placed.
 */
export async function startOrderWorkflow(
  deps: TemporalDeps & { db: Kysely<Database>; taskQueue: string },
  input: PlaceOrderInput,
): Promise<OrderView> {
  const { timeline: _none, ...snapshot } = placedOrder(input)
  try {
    await withinTemporalDeadline(deps, () =>
      deps.temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', {
        workflowId: orderWorkflowId(input.orderId),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: orderSummary(input),
        staticDetails: orderDetails(input),
        typedSearchAttributes: [
          { key: OrderStatusKey, value: snapshot.status },
          { key: CustomerIdKey, value: input.customerId },
          { key: PaymentMethodKey, value: input.payment.method },
          { key: OrderTotalKey, value: input.quote.totals.total },
        ],
      }),
    )
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
  }
  await saveOrderSnapshot(deps.db, snapshot, [])
  return orderViewFromState(snapshot)
}

/**
 * Places an order: prices it from the catalog, starts its workflow exactly
 * once, and answers as soon as the workflow is durably started.
 *
 * The Idempotency-Key decides the order id, so a retry (even one racing the
 * first request) starts no second workflow and gets the same answer.
 *
 * @throws PaymentMethodUnavailable, OrderNotPriceable, IdempotencyKeyReused, IdempotencyKeyInFlight.
 */
export async function placeOrder(deps: PlaceOrderDeps, command: PlaceOrderCommand): Promise<PlacedOrder> {
  const { caller, request } = command
  const payment = paymentInstructionFor(deps.placement, request)
  const key = {
    caller,
    key: command.idempotencyKey,
    fingerprint: requestFingerprint(request),
    orderId: randomUUID(),
  }
  const outcome = await underIdempotencyKey(deps.db, key, 201, async (held) => {
    if (held.orderId === null) throw new Error('an order placement key always decides an order id')
    const address = request.shippingAddress
    const input = await priceOrder(deps.db, deps.placement, {
      orderId: held.orderId,
      customerId: caller.subject,
      lines: request.lines,
      currency: request.currency ?? deps.placement.storeCurrency,
      shippingAddress: {
        name: address.name,
        line1: address.line1,
        line2: address.line2 ?? null,
        city: address.city,
        region: address.region ?? null,
        postalCode: address.postalCode,
        country: address.country,
      },
      payment,
      placedAt: held.createdAt.toISOString(),
    })
    const order = await startOrderWorkflow(deps, input)
    const contact = { email: request.contactEmail ?? command.contact?.email ?? null, language: command.contact?.language ?? null }
    await recordOrderContact(deps.db, held.orderId, contact)
    return order
  })
  return outcome.replayed
    ? { order: storedPlacementView(outcome.answer), payment, replayed: true }
    : { order: outcome.answer, payment, replayed: false }
}

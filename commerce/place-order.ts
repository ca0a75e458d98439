import { randomUUID } from 'node:crypto'
import {
  WithStartWorkflowOperation,
  type WorkflowIdConflictPolicy,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowStartOptions,
  isGrpcServiceError,
} from '@temporalio/client'
import { findCatalogQuote } from '../db/catalog.js'
import type { Kysely } from '../db/connection.js'
import type { OrderContact } from '../db/order-contacts.js'
import { type OrderSnapshot, saveOrderSnapshot, savePlacedOrder } from '../db/order-read-model.js'
import type { Database } from '../db/schema.js'
import { type PricingResult, priceLines } from '../domain/order-pricing.js'
import { orderDetails, orderSummary } from '../domain/order-summaries.js'
import type { OrderLineRequest, PaymentInstruction, PlaceOrderInput, ShippingAddress } from '../domain/order-types.js'
import { placedOrder } from '../domain/placed-order.js'
import type { PaymentMethod } from '../domain/vocabulary.js'
import { type PaymentProgress, orderWorkflowId, paymentProgressUpdate } from '../workflows/messages.js'
import type { orderWorkflow } from '../workflows/index.js'
import { CustomerIdKey, OrderStatusKey, OrderTotalKey, PaymentMethodKey } from '../workflows/search-attributes.js'
import type { OrderView } from '../api/schemas/orders.js'
import type { Caller } from './caller.js'
import { OrderNotPriceable, PaymentMethodUnavailable } from './commerce-errors.js'
import { type RequestBudget, underIdempotencyKey } from './idempotency-key.js'
import { orderViewFromState, storedOrderView } from './order-view.js'
import { PAYMENT_PROGRESS_WAIT_MS } from './payment-progress.js'
import { requestFingerprint } from './request-fingerprint.js'
import { type TemporalDeps, sendTemporalUpdate, withinTemporalDeadline } from './temporal-deadline.js'

/** A shipping address as a client sends it (line 2 and the region may be left out). */
export interface AddressRequest {
  name: string
  line1: string
  line2?: string | null | undefined
  city: string
  region?: string | null | undefined
  postalCode: string
  country: string
}

/** What a customer asks for: the order's lines, where it goes, and how it is paid. */
export interface OrderRequest {
  lines: OrderLineRequest[]
  paymentMethod: PaymentMethod
  /** The card token (cards only). */
  paymentToken?: string | undefined
  /** The store currency when omitted. */
  currency?: string | undefined
  shippingAddress: AddressRequest
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
  /** The caller's placement budget, counted in the statement that claims the key; none when absent. */
  budget?: RequestBudget
}

export interface PlacedOrder {
  order: OrderView
  /** How the order is paid (its provider chosen for good). */
  payment: PaymentInstruction
  /** True when this answers a retry of an earlier request with the same key. */
  replayed: boolean
  /** The payment's first answer, when this request awaited it (null: not in time); undefined when it did not (replays, COD, sandbox cards). */
  paymentProgress?: PaymentProgress | null | undefined
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

/** Reads the catalog prices of the lines and the shipping rate of the currency (one query), and prices the lines. */
async function quoteLines(db: Kysely<Database>, lines: OrderLineRequest[], currency: string): Promise<PricingResult> {
  const { prices, rate } = await findCatalogQuote(
    db,
    lines.map((line) => line.sku),
    currency,
  )
  return priceLines(lines, currency, prices, rate)
}

/**
 * The workflow's input from a quote and the store's windows.
 *
 * @throws OrderNotPriceable naming each unknown or unavailable SKU, or a currency not sold.
 */
function orderInput(settings: OrderWindows, placement: OrderPlacement, quote: PricingResult): PlaceOrderInput {
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
  return orderInput(settings, placement, await quoteLines(db, placement.lines, placement.currency))
}

/** The options of an order's workflow start; with a conflict policy, as Update-with-Start needs. */
export type OrderStartOptions = WorkflowStartOptions<typeof orderWorkflow> & {
  workflowIdConflictPolicy: WorkflowIdConflictPolicy
}

/**
 * How every order's workflow is started, written once for the plain start
 * and Update-with-Start: its id, task queue and input, once per order id (a
 * second start of the same order is the running one), and its search attributes.
 */
export function orderStartOptions(taskQueue: string, input: PlaceOrderInput): OrderStartOptions {
  return {
    workflowId: orderWorkflowId(input.orderId),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: orderSummary(input),
    staticDetails: orderDetails(input),
    typedSearchAttributes: [
      { key: OrderStatusKey, value: placedOrder(input).status },
      { key: CustomerIdKey, value: input.customerId },
      { key: PaymentMethodKey, value: input.payment.method },
      { key: OrderTotalKey, value: input.quote.totals.total },
    ],
  }
}

/** Starts the order's workflow within the Temporal call deadline; an order already started (or ended) is left as it is. */
async function startWorkflow(deps: TemporalDeps, options: OrderStartOptions): Promise<void> {
  try {
    await withinTemporalDeadline(deps, () => deps.temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', options))
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
  }
}

/**
 * Starts the order's workflow and waits for its payment's first answer in
 * one call (Update-with-Start: the update rides in the workflow's first
 * task), for at most {@link PAYMENT_PROGRESS_WAIT_MS}. Temporal is probed
 * alongside, so an outage is a 503 within seconds. When the answer does not
 * come in time (or the workflow had already ended) the order is started, or
 * found started, by a plain start, and the progress is null: the client can ask again.
 */
async function startAwaitingPaymentProgress(deps: TemporalDeps, options: OrderStartOptions): Promise<PaymentProgress | null> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', options)
  try {
    return await sendTemporalUpdate({ ...deps, temporalUpdateTimeoutMs: PAYMENT_PROGRESS_WAIT_MS }, () =>
      deps.temporal.workflow.executeUpdateWithStart(paymentProgressUpdate, { startWorkflowOperation }),
    )
  } catch (error) {
    // The probe's own failure: Temporal is not there.
    if (isGrpcServiceError(error)) throw error
    await startWorkflow(deps, options)
    return null
  }
}

/** Whether the 201 of a placement waits for the payment's first answer: a Stripe card or PayPal may ask the customer to act. */
export function awaitsFirstPaymentAnswer(payment: PaymentInstruction): boolean {
  return payment.method === 'paypal' || (payment.method === 'card' && payment.provider === 'stripe')
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
  await startWorkflow(deps, orderStartOptions(deps.taskQueue, input))
  await saveOrderSnapshot(deps.db, snapshot, [])
  return orderViewFromState(snapshot)
}

/** A placement this request made: the order as placed, its first row, and its payment's first answer when it was awaited. */
interface StartedOrder {
  order: OrderView
  snapshot: OrderSnapshot
  /** Undefined when not awaited (see {@link awaitsFirstPaymentAnswer}); null when it did not come in time. */
  paymentProgress: PaymentProgress | null | undefined
}

/**
 * Places an order: prices it from the catalog, starts its workflow exactly
 * once, and answers as soon as the workflow is durably started (and, for a
 * Stripe card or PayPal, its payment has first answered).
 *
 * The Idempotency-Key decides the order id, so a retry (even one racing the
 * first request) starts no second workflow and gets the same answer. Its
 * round trips: the key's claim (with the count of the caller's budget, in
 * the same statement) and the catalog's read at once, the
 * start (with the payment's first answer, when awaited), then the order's
 * first row and the key's answer in one statement.
 *
 * @throws PaymentMethodUnavailable, OrderNotPriceable, IdempotencyKeyReused, IdempotencyKeyInFlight, RequestRateLimited.
 */
export async function placeOrder(deps: PlaceOrderDeps, command: PlaceOrderCommand): Promise<PlacedOrder> {
  const { caller, request } = command
  const payment = paymentInstructionFor(deps.placement, request)
  const currency = request.currency ?? deps.placement.storeCurrency
  const key = {
    caller,
    key: command.idempotencyKey,
    fingerprint: requestFingerprint(request),
    orderId: randomUUID(),
    ...(command.budget ? { budget: command.budget } : {}),
  }
  const contact: OrderContact = {
    email: request.contactEmail ?? command.contact?.email ?? null,
    language: command.contact?.language ?? null,
  }
  // The catalog is read while the key is claimed; a replay does not need it, and drops it.
  const quoting = quoteLines(deps.db, request.lines, currency)
  quoting.catch(() => undefined)
  const outcome = await underIdempotencyKey(
    deps.db,
    key,
    201,
    async (held): Promise<StartedOrder> => {
      if (held.orderId === null) throw new Error('an order placement key always decides an order id')
      const address = request.shippingAddress
      const placement: OrderPlacement = {
        orderId: held.orderId,
        customerId: caller.subject,
        lines: request.lines,
        currency,
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
      }
      const input = orderInput(deps.placement, placement, await quoting)
      const options = orderStartOptions(deps.taskQueue, input)
      let paymentProgress: PaymentProgress | null | undefined
      if (awaitsFirstPaymentAnswer(payment)) paymentProgress = await startAwaitingPaymentProgress(deps, options)
      else await startWorkflow(deps, options)
      const { timeline: _none, ...snapshot } = placedOrder(input)
      return { order: orderViewFromState(snapshot), snapshot, paymentProgress }
    },
    {
      storeAnswer: async (held, started) => {
        // The order's row with where its mails go, and the key's answer: one statement.
        await savePlacedOrder(deps.db, started.snapshot, contact, held, { status: 201, body: started.order })
      },
    },
  )
  return outcome.replayed
    ? { order: storedOrderView(outcome.answer), payment, replayed: true }
    : { order: outcome.answer.order, payment, replayed: false, paymentProgress: outcome.answer.paymentProgress }
}

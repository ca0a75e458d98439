/**
 * One order, from placement to delivery, as a durable Temporal workflow.
 *
 * Read it top to bottom as the order's story: price, reserve, pay (or wait for
 * an admin to confirm cash on delivery), ship, follow the carrier, deliver.
 * Every step that succeeds registers its undo; a cancellation, a decline or a
 * lapsed confirmation runs the undos in reverse, where nothing can cancel them.
 *
 * The story runs where a Temporal-level cancellation (the Web UI's Request
 * Cancellation, `temporal workflow cancel`, `handle.cancel()`) cannot cut it
 * short: such a request is an operator's cancellation, honoured like a
 * customer's before hand-over (with compensation) and recorded as too late
 * after it. A step that failed for good (`ProcessingFailed`) cancels the
 * order before hand-over and is flagged for staff after it; a bookkeeping
 * write that failed for good is flagged and the order goes on.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow'
import type { OrderActivities } from '../../activities/order-activities.js'
import { HANDED_OVER_RANK, carrierEventEffect } from '../../domain/carrier-progress.js'
import {
  type CancelOrderRequest,
  UPDATE_REFUSED,
  cancelOrderUpdate,
  carrierEventSignal,
  confirmCodUpdate,
  paymentEventSignal,
  paymentProgressUpdate,
  type RefundPaymentRequest,
  refundPaymentUpdate,
  statusQuery,
} from '../messages.js'
import { sameTotals } from '../../domain/order-pricing.js'
import {
  type CancellationRefusal,
  cancellationRefusal,
  codConfirmationRefusal,
  finalStatuses,
  handedOver,
  refundRefusal,
  refundRefusalDetail,
  refundableAmount,
  requestedCancellationReason,
} from '../../domain/order-rules.js'
import { placedOrder } from '../../domain/placed-order.js'
import { type ProcessingFailure, processingFailureOf } from '../processing-failure.js'
import type { Actor, CarrierEvent, OrderState, PlaceOrderInput, TimelineEntry } from '../../domain/order-types.js'
import type { CancellationReason, OrderStatus, PaymentProviderName } from '../../domain/vocabulary.js'
import { OrderStatusKey, OrderTotalKey } from '../search-attributes.js'

const activities = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/**
 * Calls to payment providers. Network faults, 5xx and 429 are retried with
 * backoff under the same idempotency key; retries stop well inside the time
 * providers keep keys (PayPal-Request-Id on orders: 6 h; Stripe: 24 h), so a
 * retry can never create a second charge. Declines are non-retryable.
 */
const payments = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/** Lookups that only name who did what: a few tries, then the order goes on without the name. */
const lookups = proxyActivities<OrderActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5 } })

const DEFAULT_PAYMENT_ACTION_TIMEOUT_MS = 3_600_000
const DEFAULT_AUTHORIZATION_VALIDITY_MS = 6 * 86_400_000

const SYSTEM: Actor = { type: 'system', id: null }
/** Whoever asked Temporal to cancel the workflow, until its history has said who. */
const OPERATOR: Actor = { type: 'operator', id: null }

/** Waits for `fn` where a Temporal-level cancellation cannot break the wait (in update handlers). */
const settled = (fn: () => boolean) => CancellationScope.nonCancellable(() => condition(fn))

/** Ends the happy path: the order is to be cancelled, and why. */
class OrderCancellation extends Error {
  constructor(
    readonly reason: CancellationReason,
    readonly by: Actor,
    readonly note: string | null,
  ) {
    super(reason)
    this.name = 'OrderCancellation'
  }
}

/** Maps an activity's business refusal to a cancellation reason. */
const refusalReasons: Record<string, CancellationReason> = {
  OutOfStock: 'out_of_stock',
  PaymentDeclined: 'payment_declined',
  PricingFailed: 'price_changed',
}

/** The business refusal (an activity's non-retryable ApplicationFailure) behind `error`, if it is one. */
function businessRefusalOf(error: unknown): ApplicationFailure | null {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : null
}

export async function orderWorkflow(input: PlaceOrderInput): Promise<OrderState> {
  const now = () => new Date().toISOString()
  const order: OrderState = placedOrder(input)
  const seenCarrierEvents = new Set<string>()
  const carrierInbox: CarrierEvent[] = []
  const seenPaymentEvents = new Set<string>()
  let unreadPaymentEvents = 0
  const provider: PaymentProviderName | null =
    input.payment.method === 'card' ? (input.payment.provider ?? 'sandbox') : input.payment.method === 'paypal' ? 'paypal' : null
  const undoSteps: Array<() => Promise<void>> = []
  let cancelRequest: CancelOrderRequest | null = null
  /** Set once a cancellation the order accepted could not be honoured: the carrier had the parcel by then. */
  let cancelRefused: CancellationRefusal | null = null
  const refundWindowMs = input.refundWindowMs ?? 0
  let codConfirmedBy: Actor | null = null
  let recordedSeq = 0
  /** Refunds asked for and not yet made, oldest first, and their sum; each made refund gets the next number. */
  interface QueuedRefund {
    request: RefundPaymentRequest
    done: boolean
    /** The provider's refusal, when it would not refund. */
    refusal?: string
  }
  const refundRequests: QueuedRefund[] = []
  let refundsRequested = 0
  let refundsMade = 0
  let refundsClosed = false

  function note(actor: Actor, type: string, message: string, data: Record<string, unknown> | null = null): void {
    const entry: TimelineEntry = { seq: order.timeline.length + 1, at: now(), actor, type, message, data }
    order.timeline.push(entry)
    order.updatedAt = entry.at
  }

  function moveTo(status: OrderStatus): void {
    order.status = status
    upsertSearchAttributes([{ key: OrderStatusKey, value: status }])
    setCurrentDetails(`**${status}** · payment ${order.paymentStatus} · fulfillment ${order.fulfillmentStatus}`)
  }

  /** Flags a step that failed for good for staff; the timeline entry counts it in `order_processing_failures_total`. */
  function flagForStaff(failure: ProcessingFailure): void {
    note(SYSTEM, 'processing_failed', `Step ${failure.step} failed for good; staff must look at this order`, {
      step: failure.step,
      sqlState: failure.sqlState,
      error: failure.message,
    })
  }

  /** Runs a step whose failure for good must not stop the order: it is flagged for staff, and null is returned. */
  async function unlessFailedForGood<T>(step: () => Promise<T>): Promise<T | null> {
    try {
      return await step()
    } catch (error) {
      const failure = processingFailureOf(error)
      if (!failure) throw error
      flagForStaff(failure)
      return null
    }
  }

  /**
   * Writes the change to the read model; the version keeps a late write from
   * winning. Bookkeeping: a write that fails for good is flagged and the order
   * goes on; its timeline entries go with the next write.
   */
  async function save(): Promise<void> {
    order.version += 1
    const { timeline, ...snapshot } = order
    const upTo = timeline.length
    const entries = timeline.filter((entry) => entry.seq > recordedSeq)
    const written = await unlessFailedForGood(() => activities.recordOrder({ order: snapshot, newTimelineEntries: entries }))
    if (written !== null) recordedSeq = upTo
  }

  /** Tells the customer (the outbox); bookkeeping, so a notice that fails for good is flagged and the order goes on. */
  async function notify(
    kind: Parameters<OrderActivities['notifyCustomer']>[0]['kind'],
    extra: { occurrence?: number; data?: Record<string, unknown> } = {},
  ): Promise<void> {
    await unlessFailedForGood(() =>
      activities.notifyCustomer({ orderId: input.orderId, customerId: input.customerId, kind, ...extra }),
    )
  }

  /** Refuses an update with a reason the API maps to 409 (and, optionally, words for the person who asked). */
  function refuse(reason: string | null, detail?: string): void {
    if (reason !== null) {
      throw ApplicationFailure.create({ type: UPDATE_REFUSED, message: reason, details: detail ? [reason, detail] : [reason] })
    }
  }

  function stopIfCancelRequested(): void {
    if (cancelRequest) {
      throw new OrderCancellation(requestedCancellationReason(cancelRequest.actor), cancelRequest.actor, cancelRequest.note)
    }
  }

  /**
   * Acts on a cancellation asked for: before hand-over the order is
   * cancelled; once the carrier has the parcel it is refused (the request
   * came too late), the timeline says so, and the order goes on.
   */
  async function actOnCancelRequest(): Promise<void> {
    const request = cancelRequest
    if (!request) return
    if (!handedOver(order)) stopIfCancelRequested()
    cancelRequest = null
    cancelRefused = cancellationRefusal(order, request.actor) ?? 'already_shipped'
    const operator = request.actor.type === 'operator' ? await whoCancelledInTemporal() : null
    const message = operator
      ? 'Cancellation requested in Temporal came too late: the carrier has the parcel'
      : `Cancellation refused: ${cancelRefused.replaceAll('_', ' ')}`
    note(operator?.actor ?? request.actor, 'cancellation_refused', message, {
      reason: cancelRefused,
      note: operator ? operator.note : request.note,
    })
    await save()
  }

  /** The operator who asked Temporal to cancel, and the reason they gave, read from the workflow's history. */
  async function whoCancelledInTemporal(): Promise<{ actor: Actor; note: string | null }> {
    try {
      const asked = await lookups.describeCancelRequest({ orderId: input.orderId })
      return { actor: { type: 'operator', id: asked.identity }, note: asked.reason }
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error
      return { actor: OPERATOR, note: null }
    }
  }

  /** Notes carrier events that came after the journey's end or the cancellation: none is dropped. */
  function noteLateCarrierEvents(): boolean {
    const late = carrierInbox.splice(0)
    const carrier: Actor = { type: 'carrier', id: order.shipment?.carrier ?? null }
    for (const { eventId, status, occurredAt, location } of late) {
      if (seenCarrierEvents.has(eventId)) continue
      seenCarrierEvents.add(eventId)
      const message = `${status} arrived after the order was ${order.status.toLowerCase()}; nothing changes`
      note(carrier, 'carrier_event', message, { eventId, status, occurredAt, location })
    }
    return late.length > 0
  }

  setHandler(statusQuery, () => order)
  setHandler(carrierEventSignal, (event) => void carrierInbox.push(event))
  setHandler(paymentEventSignal, (event) => {
    if (seenPaymentEvents.has(event.eventId)) return
    seenPaymentEvents.add(event.eventId)
    unreadPaymentEvents += 1
  })
  // Temporal-level cancellation (Web UI, CLI, handle.cancel()): an operator's cancel request, acted on like any other.
  void CancellationScope.current().cancelRequested.catch(() => {
    if (order.status !== 'CANCELLED') cancelRequest ??= { actor: OPERATOR, note: null }
  })
  setHandler(paymentProgressUpdate, async () => {
    await settled(() => order.paymentStatus !== 'PENDING' || finalStatuses.has(order.status))
    return { paymentStatus: order.paymentStatus, provider: order.payment.provider, reference: order.payment.reference }
  })
  setHandler(
    cancelOrderUpdate,
    async (request) => {
      if (order.status !== 'CANCELLED') cancelRequest ??= request
      await settled(() => finalStatuses.has(order.status) || cancelRefused !== null)
      if (order.status !== 'CANCELLED') refuse(cancelRefused ?? cancellationRefusal(order, request.actor) ?? 'already_shipped')
      return order
    },
    { validator: (request) => refuse(cancellationRefusal(order, request.actor)) },
  )
  setHandler(
    confirmCodUpdate,
    async (request) => {
      codConfirmedBy ??= request.actor
      await settled(() => order.status !== 'PENDING' && order.status !== 'AWAITING_CONFIRMATION')
      return order
    },
    { validator: (request) => refuse(codConfirmationRefusal(order, request.actor)) },
  )
  setHandler(
    refundPaymentUpdate,
    async (request) => {
      const queued: QueuedRefund = { request, done: false }
      refundRequests.push(queued)
      refundsRequested += request.amount
      await settled(() => queued.done || refundsClosed)
      if (queued.refusal) refuse('refund_refused', queued.refusal)
      return order
    },
    {
      validator: (request) => {
        const refusal = refundRefusal(order, request, refundsRequested)
        refuse(refusal, refundRefusalDetail(order, refusal, refundsRequested))
      },
    },
  )

  /** The happy path, from placement to the end of the parcel's journey. */
  async function fulfil(): Promise<void> {
    note({ type: 'customer', id: input.customerId }, 'order_placed', 'Order placed', {
      total: order.totals.total,
      currency: order.totals.currency,
    })
    setCurrentDetails('**PENDING** · reserving stock')
    const priced = await activities.priceOrder({ orderId: input.orderId, lines: input.lines, currency: input.currency })
    if (!sameTotals(priced.totals, input.quote.totals)) {
      throw new OrderCancellation('price_changed', SYSTEM, 'The catalog price changed after the order was quoted')
    }
    stopIfCancelRequested()

    await activities.reserveStock({ orderId: input.orderId, lines: order.lines })
    undoSteps.push(async () => {
      await activities.releaseStock({ orderId: input.orderId })
      note(SYSTEM, 'stock_released', 'Reserved stock released')
    })
    note(SYSTEM, 'stock_reserved', 'Stock reserved for every line')
    await save()
    await notify('placed')
    stopIfCancelRequested()

    if (input.payment.method !== 'cod') {
      await holdPayment()
      stopIfCancelRequested()
    } else {
      order.codConfirmationDeadline = new Date(Date.now() + input.codConfirmationTimeoutMs).toISOString()
      moveTo('AWAITING_CONFIRMATION')
      note(SYSTEM, 'awaiting_confirmation', 'Cash on delivery: waiting for an admin to confirm', {
        deadline: order.codConfirmationDeadline,
      })
      await save()
      const answered = await condition(() => codConfirmedBy !== null || cancelRequest !== null, input.codConfirmationTimeoutMs)
      stopIfCancelRequested()
      if (!answered || !codConfirmedBy) {
        throw new OrderCancellation('cod_confirmation_expired', SYSTEM, 'Nobody confirmed the order in time')
      }
      note(codConfirmedBy, 'cod_confirmed', 'Cash on delivery confirmed')
    }
    moveTo('CONFIRMED')
    await save()
    await notify('confirmed')
    stopIfCancelRequested()

    const label = await activities.createShipment({
      orderId: input.orderId,
      address: input.shippingAddress,
      lines: order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    })
    order.shipment = { ...label, progress: 1, lastEventAt: null }
    order.fulfillmentStatus = 'LABEL_CREATED'
    undoSteps.push(async () => {
      await activities.cancelShipment({ orderId: input.orderId, trackingNumber: label.trackingNumber })
      order.fulfillmentStatus = 'LABEL_CANCELLED'
      note(SYSTEM, 'label_cancelled', 'Shipping label cancelled', { trackingNumber: label.trackingNumber })
    })
    note(SYSTEM, 'label_created', `Shipping label created with ${label.carrier}`, {
      carrier: label.carrier,
      trackingNumber: label.trackingNumber,
    })
    moveTo('CONFIRMED')
    await save()

    while (!finalStatuses.has(order.status)) {
      const news = () => carrierInbox.length > 0 || cancelRequest !== null || refundRequests.length > 0
      const holdLeft = authorizationTimeLeft()
      const woken = holdLeft === null ? (await condition(news), true) : await condition(news, holdLeft)
      // Carrier news first: a pickup that reached the order before a cancellation is applied before it.
      if (carrierInbox.length === 0) await actOnCancelRequest()
      if (!woken) {
        throw new OrderCancellation(
          'authorization_expired',
          SYSTEM,
          'The payment authorization would lapse before the carrier picked the parcel up',
        )
      }
      await refundOnRequest()
      const event = carrierInbox.shift()
      if (event) await followCarrier(event)
    }
    await actOnCancelRequest()
  }

  /**
   * Holds the order total with the order's provider: at once, or once the
   * customer has completed 3-D Secure or approved with PayPal. A provider
   * that takes the money at approval (PayPal with intent CAPTURE) leaves the
   * order paid instead. The undo is registered as soon as the provider knows
   * the payment, since a pending attempt may still turn into a hold; it
   * refunds what was captured and voids anything else.
   */
  async function holdPayment(): Promise<void> {
    const amount = { amount: order.totals.total, currency: order.totals.currency }
    const token = input.payment.method === 'card' ? input.payment.token : null
    const attempt = await payments.authorizePayment({ orderId: input.orderId, provider, amount, token })
    const reference = attempt.reference
    order.payment = { ...order.payment, provider: attempt.provider, reference }
    undoSteps.push(async () => {
      if (refundableAmount(order) > 0) {
        const refund = await giveBack(refundableAmount(order), SYSTEM, 'order_cancelled', 'order cancelled before shipping')
        if ('refunded' in refund) {
          await notify('refunded', {
            occurrence: refund.refundNumber,
            data: { amount: refund.refunded, currency: order.totals.currency },
          })
        }
        return
      }
      await payments.voidPayment({ orderId: input.orderId, provider, reference })
      if (order.paymentStatus !== 'FAILED') order.paymentStatus = 'VOIDED'
      order.payment.authorized = 0
      note(SYSTEM, 'payment_voided', 'Payment authorization voided', { reference })
    })
    const outcome = attempt.status === 'pending' ? await awaitCustomer(reference) : attempt
    if (outcome.status === 'captured') {
      order.payment.authorized = outcome.amount
      order.payment.captured = outcome.amount
      order.paymentStatus = 'PAID'
      note(SYSTEM, 'payment_captured', 'Payment captured when the customer approved', { amount: outcome.amount })
      return
    }
    order.payment.authorized = outcome.amount
    order.paymentStatus = 'AUTHORIZED'
    const validityMs = input.authorizationValidityMs ?? DEFAULT_AUTHORIZATION_VALIDITY_MS
    order.payment.authorizationExpiresAt = new Date(Date.now() + validityMs).toISOString()
    note(SYSTEM, 'payment_authorized', `Payment authorized with ${attempt.provider}`, {
      amount: outcome.amount,
      expiresAt: order.payment.authorizationExpiresAt,
    })
  }

  /**
   * How long the held authorization may still wait for the carrier's pickup;
   * null when nothing is held uncaptured (cash on delivery, or captured).
   * Card networks let an authorization lapse after about 7 days: rather than
   * lose it silently, the order is cancelled (hold voided, stock released)
   * when the window set at placement closes.
   */
  function authorizationTimeLeft(): number | null {
    const expiresAt = order.payment.authorizationExpiresAt
    if (order.paymentStatus !== 'AUTHORIZED' || !expiresAt) return null
    return Math.max(new Date(expiresAt).getTime() - Date.now(), 1)
  }

  /**
   * Waits for the customer to finish paying: each verified webhook or return
   * call wakes the workflow, which then asks the provider where the payment
   * stands, so duplicates, late and out-of-order events change nothing. A
   * failure or cancellation is a decline; silence past the window cancels.
   */
  async function awaitCustomer(reference: string) {
    const amount = { amount: order.totals.total, currency: order.totals.currency }
    const windowMs = input.paymentActionTimeoutMs ?? DEFAULT_PAYMENT_ACTION_TIMEOUT_MS
    const deadline = Date.now() + windowMs
    order.paymentStatus = 'ACTION_REQUIRED'
    const action = provider === 'paypal' ? 'approve the payment with PayPal' : 'complete 3-D Secure'
    note(SYSTEM, 'payment_action_required', `Waiting for the customer to ${action}`, {
      reference,
      deadline: new Date(deadline).toISOString(),
    })
    await save()
    for (;;) {
      const remaining = deadline - Date.now()
      const woken = remaining > 0 && (await condition(() => unreadPaymentEvents > 0 || cancelRequest !== null, remaining))
      stopIfCancelRequested()
      unreadPaymentEvents = 0
      const outcome = await payments.completeAuthorization({ orderId: input.orderId, provider, reference, amount })
      if (outcome.status !== 'pending') return outcome
      if (!woken) {
        throw new OrderCancellation('payment_not_completed', SYSTEM, `The customer did not ${action} in time`)
      }
    }
  }

  /** Applies one carrier event: dedupe, ignore what moves backwards, act on hand-over and journey's end. */
  async function followCarrier(event: CarrierEvent): Promise<void> {
    const shipment = order.shipment
    if (!shipment || event.trackingNumber !== shipment.trackingNumber) return
    const effect = carrierEventEffect(shipment, seenCarrierEvents, event)
    if (effect.kind === 'duplicate') return
    seenCarrierEvents.add(event.eventId)
    const carrier: Actor = { type: 'carrier', id: shipment.carrier }
    const eventData = { eventId: event.eventId, status: event.status, occurredAt: event.occurredAt, location: event.location }

    if (effect.kind === 'stale') {
      note(carrier, 'carrier_event', `${event.status} arrived out of order; status unchanged`, eventData)
      return save()
    }
    if (effect.kind === 'exception') {
      order.fulfillmentStatus = 'EXCEPTION'
      note(carrier, 'carrier_event', 'The carrier reported a delivery exception', eventData)
      if (order.payment.method === 'cod' && shipment.progress >= HANDED_OVER_RANK) {
        note(carrier, 'cod_delivery_failed', 'Cash on delivery: delivery failed, nothing collected', eventData)
      }
      moveTo(order.status)
      await save()
      await notify('delivery_exception')
      return
    }

    shipment.progress = effect.progress
    shipment.lastEventAt = event.occurredAt
    order.fulfillmentStatus = event.status
    note(carrier, 'carrier_event', `Carrier: ${event.status}`, eventData)
    if (effect.handedOver) {
      // From here the order keeps its money and its parcel: a step that fails for good is flagged for staff.
      undoSteps.length = 0
      await unlessFailedForGood(() => activities.commitStock({ orderId: input.orderId }))
      const reference = order.payment.reference
      if (order.paymentStatus === 'AUTHORIZED' && reference) {
        const capture = await unlessFailedForGood(() =>
          payments.capturePayment({
            orderId: input.orderId,
            provider,
            reference,
            amount: { amount: order.totals.total, currency: order.totals.currency },
          }),
        )
        if (capture) {
          order.payment.captured = capture.amount
          order.paymentStatus = 'PAID'
          note(SYSTEM, 'payment_captured', 'Payment captured at hand-over', { amount: capture.amount })
        }
      }
      moveTo('SHIPPED')
      await save()
      await notify('shipped')
    }
    if (effect.delivered) {
      if (order.payment.method === 'cod') await collectCash(event, carrier)
      else if (refundWindowMs > 0 && refundableAmount(order) > 0) {
        order.payment.refundableUntil = new Date(Date.now() + refundWindowMs).toISOString()
      }
      moveTo('DELIVERED')
      await save()
      await notify('delivered')
    } else if (effect.returned) {
      await returnToStock()
    } else if (!effect.handedOver) {
      moveTo(order.status)
      await save()
    }
  }

  /**
   * Cash on delivery: records what the carrier collected at the door, for the
   * store to settle with the carrier later. A carrier that reports another
   * amount, or none, is flagged in the timeline and the collection record.
   */
  async function collectCash(event: CarrierEvent, carrier: Actor): Promise<void> {
    const expected = order.totals.total
    const reported = event.amountCollected ?? null
    const outcome = reported === null ? 'not_reported' : reported === expected ? 'collected' : 'mismatch'
    await unlessFailedForGood(() =>
      activities.recordCodCollection({
        orderId: input.orderId,
        currency: order.totals.currency,
        expectedAmount: expected,
        collectedAmount: reported,
        outcome,
        trackingNumber: event.trackingNumber,
        deliveredAt: event.occurredAt,
      }),
    )
    order.payment.captured = reported ?? expected
    order.paymentStatus = 'PAID'
    note(carrier, 'cash_collected', 'Cash collected on delivery', { amount: reported ?? expected, reported: reported !== null })
    if (outcome === 'mismatch') {
      note(carrier, 'cod_collection_mismatch', `Cash on delivery: collected ${reported}, expected ${expected}`, {
        expected,
        collected: reported,
      })
    }
  }

  /** The parcel came back: refund what was captured and put the goods back on the shelf. */
  async function returnToStock(): Promise<void> {
    if (refundableAmount(order) > 0 && order.payment.reference) {
      await giveBack(refundableAmount(order), SYSTEM, 'parcel_returned', 'parcel returned to sender')
    } else if (order.payment.method === 'cod') {
      order.paymentStatus = 'VOIDED'
    }
    const restocked = await unlessFailedForGood(() => activities.restockReturnedItems({ orderId: input.orderId }))
    if (restocked !== null) note(SYSTEM, 'stock_returned', 'Returned items put back in stock')
    moveTo('RETURNED')
    await save()
    await notify('returned')
    if (order.paymentStatus === 'REFUNDED') {
      // The refund's own number: a return after partial refunds is a notice of its own.
      await notify('refunded', { occurrence: refundsMade })
    }
  }

  /**
   * Gives `amount` of the captured money back under the next refund number,
   * so its idempotency key is its own (`refund`, `refund-2`, …): a retried call
   * never refunds twice and two refunds never share a key. A provider that
   * refuses for good (refunded already from its dashboard, disputed) changes
   * nothing here: the refusal is flagged for staff and returned.
   */
  async function giveBack(
    amount: number,
    by: Actor,
    reason: string,
    why: string,
    details: Record<string, unknown> = {},
  ): Promise<{ refunded: number; refundNumber: number } | { refusal: string }> {
    const refundNumber = ++refundsMade
    try {
      const refund = await payments.refundPayment({
        orderId: input.orderId,
        provider,
        reference: order.payment.reference ?? '',
        amount: { amount, currency: order.totals.currency },
        refundNumber,
      })
      order.payment.refunded += refund.amount
      order.paymentStatus = refundableAmount(order) === 0 ? 'REFUNDED' : 'PARTIALLY_REFUNDED'
      note(by, 'payment_refunded', `Refunded ${refund.amount}: ${why}`, { amount: refund.amount, reason, ...details })
      return { refunded: refund.amount, refundNumber }
    } catch (error) {
      const failure = processingFailureOf(error)
      if (failure) {
        flagForStaff(failure)
        return { refusal: `processing_failed: ${failure.step} failed for good` }
      }
      const refusal = businessRefusalOf(error)
      if (refusal?.type !== 'RefundRefused') throw error
      const code = typeof refusal.details?.[0] === 'string' ? refusal.details[0] : 'refund_refused'
      note(SYSTEM, 'refund_failed', `Refund of ${amount} refused by the payment provider (${code})`, {
        amount,
        reason,
        code,
        providerMessage: refusal.message,
      })
      return { refusal: `${code}: ${refusal.message}` }
    }
  }

  /** Gives back what admins asked for, one refund at a time, in the order asked. */
  async function refundOnRequest(): Promise<void> {
    for (let queued = refundRequests.shift(); queued; queued = refundRequests.shift()) {
      const { request } = queued
      const amount = Math.min(request.amount, refundableAmount(order))
      if (amount > 0 && order.payment.reference) {
        const refund = await giveBack(amount, request.actor, request.reason, request.reason.replaceAll('_', ' '), {
          note: request.note,
        })
        if ('refusal' in refund) queued.refusal = refund.refusal
        moveTo(order.status)
        await save()
        if ('refunded' in refund) {
          await notify('refunded', {
            occurrence: refund.refundNumber,
            data: { amount: refund.refunded, currency: order.totals.currency },
          })
        }
      }
      refundsRequested -= request.amount
      queued.done = true
    }
  }

  /**
   * A delivered card or PayPal order stays open for refunds (returned items,
   * damage, goodwill) until its window closes or nothing is left to refund.
   */
  async function keepRefundWindowOpen(): Promise<void> {
    const closesAt = order.payment.refundableUntil
    if (order.status !== 'DELIVERED' || !closesAt) return
    while (refundableAmount(order) > 0) {
      const remaining = new Date(closesAt).getTime() - Date.now()
      if (remaining <= 0 || !(await condition(() => refundRequests.length > 0 || cancelRequest !== null, remaining))) return
      await actOnCancelRequest()
      await refundOnRequest()
    }
  }

  /**
   * Undoes every step taken, in reverse order, where a cancellation cannot
   * interrupt it; an undo that fails for good is flagged without skipping the rest.
   */
  async function cancel(reason: OrderCancellation): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      const { actor: by, note: why } =
        reason.by.type === 'operator' ? await whoCancelledInTemporal() : { actor: reason.by, note: reason.note }
      for (const undo of undoSteps.reverse()) await unlessFailedForGood(undo)
      undoSteps.length = 0
      order.cancellation = { reason: reason.reason, by, note: why, at: now() }
      note(by, 'order_cancelled', `Order cancelled: ${reason.reason}`, { reason: reason.reason })
      moveTo('CANCELLED')
      noteLateCarrierEvents()
      await save()
      await notify('cancelled', { data: { reason: reason.reason } })
    })
  }

  /** The happy path ended early: a business refusal, a cancellation, or a step that failed for good. */
  async function leaveHappyPath(error: unknown): Promise<void> {
    const refusal = businessRefusalOf(error)
    const reason = refusal?.type ? refusalReasons[refusal.type] : undefined
    const failure = processingFailureOf(error)
    if (reason === 'payment_declined') {
      order.paymentStatus = 'FAILED'
      order.payment.declineCode = typeof refusal?.details?.[0] === 'string' ? refusal.details[0] : null
    }
    if (reason) await cancel(new OrderCancellation(reason, SYSTEM, refusal?.message ?? null))
    else if (error instanceof OrderCancellation) await cancel(error)
    else if (!failure) throw error
    else {
      flagForStaff(failure)
      // After hand-over the order keeps its money and its parcel; before, it is undone.
      if (handedOver(order)) await save()
      else await cancel(new OrderCancellation('processing_failed', SYSTEM, 'The order could not be processed; staff were told'))
    }
  }

  upsertSearchAttributes([{ key: OrderTotalKey, value: order.totals.total }])
  // The story runs where a Temporal-level cancellation cannot cut it short: it is a cancel request instead.
  await CancellationScope.nonCancellable(async () => {
    try {
      await fulfil()
      await keepRefundWindowOpen()
    } catch (error) {
      await leaveHappyPath(error)
    }
    refundsClosed = true
    if (carrierInbox.length > 0 && patched('late-carrier-events-noted') && noteLateCarrierEvents()) await save()
    await condition(allHandlersFinished)
  })
  // Cancelled by an operator in Temporal: the workflow ends Canceled, as the Web UI and CLI expect.
  if (order.cancellation?.by.type === 'operator') throw new CancelledFailure('Order cancelled by an operator in Temporal')
  return order
}

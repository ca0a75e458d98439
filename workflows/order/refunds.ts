/**
 * Money given back: refunds admins ask for, queued and made one at a time in
 * the order asked, and the refund window a delivered card or PayPal order
 * stayed open for before it closed at its journey's end. Each refund has its own number, so its idempotency key is
 * its own (`refund`, `refund-2`, …).
 */
import { condition } from '@temporalio/workflow'
import { refundableAmount } from '../../domain/order-rules.js'
import type { Actor } from '../../domain/order-types.js'
import type { RefundPaymentRequest } from '../messages.js'
import { processingFailureOf } from '../processing-failure.js'
import { payments } from './activity-proxies.js'
import { businessRefusalOf } from './business-refusal.js'
import type { OrderCode } from './order-code.js'
import { type OrderRecord, SYSTEM } from './order-record.js'
import { paymentProviderOf } from '../../domain/order-payment.js'
import { stepSummaries, timerSummaries } from '../../domain/order-summaries.js'

/** A refund asked for; `done` once made or refused. */
export interface QueuedRefund {
  request: RefundPaymentRequest
  done: boolean
  /** The provider's refusal, when it would not refund. */
  refusal?: string
}

/** A refund made (with its number), or the provider's refusal. */
export type RefundOutcome = { refunded: number; refundNumber: number } | { refusal: string }

export class RefundQueue {
  /** Refunds asked for and not yet made, oldest first. */
  readonly waiting: QueuedRefund[] = []
  /** The sum of the refunds asked for and not yet made. */
  requested = 0
  /** Refunds made so far; the next one gets the next number. */
  made = 0
  /** Set when the order has ended: refunds still waiting are answered. */
  closed = false

  /** The queue as an earlier run left it (none waiting: a run continues as new only when none is). */
  static carriedOver(counts: { requested: number; made: number } | undefined): RefundQueue {
    const refunds = new RefundQueue()
    ;[refunds.requested, refunds.made] = [counts?.requested ?? 0, counts?.made ?? 0]
    return refunds
  }

  /** Queues a refund; it is answered once made, refused, or the order ends (refused at once when it has). */
  ask(request: RefundPaymentRequest): QueuedRefund {
    if (this.closed) return { request, done: true, refusal: ORDER_CLOSED }
    const queued: QueuedRefund = { request, done: false }
    this.waiting.push(queued)
    this.requested += request.amount
    return queued
  }

  /** The order has ended: refunds still waiting are refused, and so is any asked for from now on. */
  close(): void {
    this.closed = true
    for (let queued = this.waiting.shift(); queued; queued = this.waiting.shift()) {
      this.requested -= queued.request.amount
      Object.assign(queued, { done: true, refusal: ORDER_CLOSED })
    }
  }
}

/** Why a refund reaching an order that has ended is not made here (the after-sales workflow makes it). */
const ORDER_CLOSED = 'order_closed: the order has closed; a refund now goes through its after-sales'

/**
 * Gives `amount` of the captured money back under the next refund number. A
 * provider that refuses for good (refunded already from its dashboard,
 * disputed) changes nothing here: the refusal is flagged and returned.
 */
export async function giveBack(
  order: OrderRecord,
  refunds: RefundQueue,
  refund: { amount: number; by: Actor; reason: string; why: string; details?: Record<string, unknown> },
): Promise<RefundOutcome> {
  const { amount, by, reason, why, details = {} } = refund
  const state = order.state
  const refundNumber = ++refunds.made
  try {
    const provider = paymentProviderOf(order.input.payment)
    const money = { amount, currency: state.totals.currency }
    const made = await payments.refundPayment.executeWithOptions(
      { summary: stepSummaries.refundPayment(money, provider, refundNumber, why) },
      [{ orderId: order.input.orderId, provider, reference: state.payment.reference ?? '', amount: money, refundNumber }],
    )
    state.payment.refunded += made.amount
    state.paymentStatus = refundableAmount(state) === 0 ? 'REFUNDED' : 'PARTIALLY_REFUNDED'
    order.note(by, 'payment_refunded', `Refunded ${made.amount}: ${why}`, { amount: made.amount, reason, ...details })
    return { refunded: made.amount, refundNumber }
  } catch (error) {
    return refundNotMade(order, error, amount, reason)
  }
}

/** Why a refund was not made, noted on the order; rethrows what is neither a refusal nor a failure for good. */
function refundNotMade(order: OrderRecord, error: unknown, amount: number, reason: string): RefundOutcome {
  const failure = processingFailureOf(error)
  if (failure) {
    order.flagForStaff(failure)
    return { refusal: `processing_failed: ${failure.step} failed for good` }
  }
  const refusal = businessRefusalOf(error)
  if (refusal?.type !== 'RefundRefused') throw error
  const code = typeof refusal.details?.[0] === 'string' ? refusal.details[0] : 'refund_refused'
  order.note(SYSTEM, 'refund_failed', `Refund of ${amount} refused by the payment provider (${code})`, {
    amount,
    reason,
    code,
    providerMessage: refusal.message,
  })
  return { refusal: `${code}: ${refusal.message}` }
}

/** Tells the customer about a refund made (its number makes the notice its own). */
export async function noticeOfRefund(order: OrderRecord, outcome: RefundOutcome): Promise<void> {
  if (!('refunded' in outcome)) return
  await order.notify('refunded', {
    occurrence: outcome.refundNumber,
    data: { amount: outcome.refunded, currency: order.state.totals.currency },
  })
}

/** Gives back what admins asked for, one refund at a time, in the order asked. */
export async function refundOnRequest(order: OrderRecord, refunds: RefundQueue): Promise<void> {
  for (let queued = refunds.waiting.shift(); queued; queued = refunds.waiting.shift()) {
    const { request } = queued
    const amount = Math.min(request.amount, refundableAmount(order.state))
    if (amount > 0 && order.state.payment.reference) {
      const why = request.reason.replaceAll('_', ' ')
      const outcome = await giveBack(order, refunds, {
        amount,
        by: request.actor,
        reason: request.reason,
        why,
        details: { note: request.note },
      })
      if ('refusal' in outcome) queued.refusal = outcome.refusal
      order.republishStatus()
      await order.save()
      await noticeOfRefund(order, outcome)
    }
    refunds.requested -= request.amount
    queued.done = true
  }
}

/**
 * The journey has ended: the order closes once the refunds asked for meanwhile
 * are made (after-sales, goodwill refunds included, is a workflow of its own,
 * `workflows/after-sales/`). An order that got here before
 * `order-closes-at-journey-end` keeps its refund window open.
 */
export async function closeAtTheJourneysEnd(
  order: OrderRecord,
  refunds: RefundQueue,
  code: OrderCode,
  news: { cancelAsked(): boolean; actOnCancelRequest(): Promise<void> },
): Promise<void> {
  if (code.has('order-closes-at-journey-end')) return refundOnRequest(order, refunds)
  return keepRefundWindowOpen(order, refunds, news)
}

/**
 * A delivered card or PayPal order stays open for refunds (returned items,
 * damage, goodwill) until its window closes or nothing is left to refund;
 * `between` acts on a cancellation asked for meanwhile (refused: delivered).
 */
export async function keepRefundWindowOpen(
  order: OrderRecord,
  refunds: RefundQueue,
  news: { cancelAsked(): boolean; actOnCancelRequest(): Promise<void> },
): Promise<void> {
  const closesAt = order.state.payment.refundableUntil
  if (order.state.status !== 'DELIVERED' || !closesAt) return
  while (refundableAmount(order.state) > 0) {
    const remaining = new Date(closesAt).getTime() - Date.now()
    const summary = timerSummaries.refundWindowCloses(closesAt)
    if (remaining <= 0 || !(await condition(() => refunds.waiting.length > 0 || news.cancelAsked(), remaining, { summary })))
      return
    await news.actOnCancelRequest()
    await refundOnRequest(order, refunds)
  }
}

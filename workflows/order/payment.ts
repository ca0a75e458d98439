/**
 * The order's money: hold the total with its provider (at once, or once the
 * customer has completed 3-D Secure or approved with PayPal), let a hold that
 * would lapse cancel the order, capture at hand-over, void or refund when the
 * order is undone.
 */
import { condition } from '@temporalio/workflow'
import { paymentProviderOf } from '../../domain/order-payment.js'
import { stepSummaries, timerSummaries } from '../../domain/order-summaries.js'
import { paymentWindowDefaults } from '../../domain/payment-windows.js'
import { refundableAmount } from '../../domain/order-rules.js'
import { payments } from './activity-proxies.js'
import { OrderCancellation, stopIfCancelRequested } from './cancellation.js'
import type { OrderRun } from './order-run.js'
import { SYSTEM } from './order-record.js'
import { giveBack, noticeOfRefund } from './refunds.js'

type PaymentOutcome = Awaited<ReturnType<typeof payments.completeAuthorization>>

/**
 * Holds the order total with the order's provider. A provider that takes the
 * money at approval (PayPal with intent CAPTURE) leaves the order paid
 * instead. The undo is registered as soon as the provider knows the payment,
 * since a pending attempt may still turn into a hold.
 */
export async function holdPayment(run: OrderRun): Promise<void> {
  const { input, order } = run
  const state = order.state
  const provider = paymentProviderOf(input.payment)
  const amount = { amount: state.totals.total, currency: state.totals.currency }
  const token = input.payment.method === 'card' ? input.payment.token : null
  const attempt = await payments.authorizePayment.executeWithOptions(
    { summary: stepSummaries.authorizePayment(amount, provider) },
    [{ orderId: input.orderId, provider, amount, token }],
  )
  state.payment = { ...state.payment, provider: attempt.provider, reference: attempt.reference }
  run.undo.add(() => voidOrRefund(run, attempt.reference))
  const outcome = attempt.status === 'pending' ? await awaitCustomer(run, attempt.reference) : attempt
  if (outcome.status === 'captured') {
    state.payment.authorized = outcome.amount
    state.payment.captured = outcome.amount
    state.paymentStatus = 'PAID'
    order.note(SYSTEM, 'payment_captured', 'Payment captured when the customer approved', { amount: outcome.amount })
    return
  }
  state.payment.authorized = outcome.amount
  state.paymentStatus = 'AUTHORIZED'
  const validityMs = input.authorizationValidityMs ?? paymentWindowDefaults.authorizationValidityMs
  state.payment.authorizationExpiresAt = new Date(Date.now() + validityMs).toISOString()
  order.note(SYSTEM, 'payment_authorized', `Payment authorized with ${attempt.provider}`, {
    amount: outcome.amount,
    expiresAt: state.payment.authorizationExpiresAt,
  })
}

/** The undo of {@link holdPayment}: refunds what was captured, voids anything else. */
async function voidOrRefund({ input, order, refunds }: OrderRun, reference: string): Promise<void> {
  const state = order.state
  if (refundableAmount(state) > 0) {
    const amount = refundableAmount(state)
    const why = 'order cancelled before shipping'
    const outcome = await giveBack(order, refunds, { amount, by: SYSTEM, reason: 'order_cancelled', why })
    await noticeOfRefund(order, outcome)
    return
  }
  const provider = paymentProviderOf(input.payment)
  await payments.voidPayment.executeWithOptions({ summary: stepSummaries.voidPayment(provider) }, [
    { orderId: input.orderId, provider, reference },
  ])
  if (state.paymentStatus !== 'FAILED') state.paymentStatus = 'VOIDED'
  state.payment.authorized = 0
  order.note(SYSTEM, 'payment_voided', 'Payment authorization voided', { reference })
}

/**
 * Waits for the customer to finish paying: each verified webhook or return
 * call wakes the workflow, which then asks the provider where the payment
 * stands, so duplicates, late and out-of-order events change nothing. A
 * failure or cancellation is a decline; silence past the window cancels.
 */
async function awaitCustomer(run: OrderRun, reference: string): Promise<PaymentOutcome> {
  const { input, order, inbox } = run
  const provider = paymentProviderOf(input.payment)
  const amount = { amount: order.state.totals.total, currency: order.state.totals.currency }
  const deadline = Date.now() + (input.paymentActionTimeoutMs ?? paymentWindowDefaults.actionTimeoutMs)
  order.state.paymentStatus = 'ACTION_REQUIRED'
  const action = provider === 'paypal' ? 'approve the payment with PayPal' : 'complete 3-D Secure'
  order.note(SYSTEM, 'payment_action_required', `Waiting for the customer to ${action}`, {
    reference,
    deadline: new Date(deadline).toISOString(),
  })
  await order.save()
  for (;;) {
    const remaining = deadline - Date.now()
    const woken =
      remaining > 0 &&
      (await condition(() => inbox.unreadPaymentEvents > 0 || inbox.cancelRequest !== null, remaining, {
        summary: timerSummaries.paymentAction(provider, new Date(deadline).toISOString()),
      }))
    stopIfCancelRequested(inbox)
    inbox.unreadPaymentEvents = 0
    const outcome = await payments.completeAuthorization.executeWithOptions(
      { summary: stepSummaries.completeAuthorization(provider) },
      [{ orderId: input.orderId, provider, reference, amount }],
    )
    if (outcome.status !== 'pending') return outcome
    if (!woken) throw new OrderCancellation('payment_not_completed', SYSTEM, `The customer did not ${action} in time`)
  }
}

/**
 * How long the held authorization may still wait for the carrier's pickup;
 * null when nothing is held uncaptured (cash on delivery, or captured).
 * Card networks let an authorization lapse after about 7 days: rather than
 * lose it silently, the order is cancelled (hold voided, stock released)
 * when the window set at placement closes.
 */
export function authorizationTimeLeft({ order }: OrderRun): number | null {
  const expiresAt = order.state.payment.authorizationExpiresAt
  if (order.state.paymentStatus !== 'AUTHORIZED' || !expiresAt) return null
  return Math.max(new Date(expiresAt).getTime() - Date.now(), 1)
}

/** Takes the held money at hand-over; a capture that fails for good is flagged and the order goes on. */
export async function captureAtHandOver({ input, order }: OrderRun): Promise<void> {
  const state = order.state
  const reference = state.payment.reference
  if (state.paymentStatus !== 'AUTHORIZED' || !reference) return
  const provider = paymentProviderOf(input.payment)
  const amount = { amount: state.totals.total, currency: state.totals.currency }
  const capture = await order.unlessFailedForGood(() =>
    payments.capturePayment.executeWithOptions({ summary: stepSummaries.capturePayment(amount, provider) }, [
      { orderId: input.orderId, provider, reference, amount },
    ]),
  )
  if (!capture) return
  state.payment.captured = capture.amount
  state.paymentStatus = 'PAID'
  order.note(SYSTEM, 'payment_captured', 'Payment captured at hand-over', { amount: capture.amount })
}

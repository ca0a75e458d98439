/**
 * One order, from placement to delivery, as a durable Temporal workflow.
 *
 * Read it top to bottom as the order's story: price, reserve, pay (or wait for
 * an admin to confirm cash on delivery), ship, follow the carrier, deliver,
 * keep the refund window open. Each step lives in a module named for what it
 * does; every step that succeeds registers its undo (`compensation.ts`), and
 * a cancellation, a decline or a lapsed confirmation runs the undos in
 * reverse, where nothing can cancel them (`leaving-the-happy-path.ts`).
 *
 * The story runs where a Temporal-level cancellation (the Web UI's Request
 * Cancellation, `temporal workflow cancel`, `handle.cancel()`) cannot cut it
 * short: such a request is an operator's cancellation, honoured like a
 * customer's before hand-over and recorded as too late after it
 * (`operator-cancellation.ts`).
 *
 * Versioning: orders stay open for weeks, so a change here that issues other
 * commands than before branches on `patched()` (README, "Versioning").
 */
import { CancellationScope, CancelledFailure, allHandlersFinished, condition, patched } from '@temporalio/workflow'
import { finalStatuses } from '../../domain/order-rules.js'
import { timerSummaries } from '../../domain/order-summaries.js'
import type { OrderState, PlaceOrderInput } from '../../domain/order-types.js'
import { actOnCancelRequest, OrderCancellation, stopIfCancelRequested } from './cancellation.js'
import { awaitCodConfirmation } from './cash-on-delivery.js'
import { Compensation } from './compensation.js'
import { leaveHappyPath } from './leaving-the-happy-path.js'
import { listenForMessages } from './message-handlers.js'
import { OrderInbox } from './order-inbox.js'
import { OrderRecord, SYSTEM } from './order-record.js'
import type { OrderRun } from './order-run.js'
import { buyLabel, followCarrier, noteLateCarrierEvents } from './parcel-journey.js'
import { authorizationTimeLeft, holdPayment } from './payment.js'
import { checkPriceStillHolds, reserveStock } from './placement.js'
import { RefundQueue, keepRefundWindowOpen, refundOnRequest } from './refunds.js'

export async function orderWorkflow(input: PlaceOrderInput): Promise<OrderState> {
  const run: OrderRun = {
    input,
    order: new OrderRecord(input),
    inbox: new OrderInbox(),
    refunds: new RefundQueue(),
    undo: new Compensation(),
  }
  listenForMessages(run)
  run.order.publishTotal()
  await CancellationScope.nonCancellable(async () => {
    try {
      await fulfil(run)
      await keepRefundWindowOpen(run.order, run.refunds, {
        cancelAsked: () => run.inbox.cancelRequest !== null,
        actOnCancelRequest: () => actOnCancelRequest(run),
      })
    } catch (error) {
      await leaveHappyPath(run, error)
    }
    await closeTheBooks(run)
  })
  // Cancelled by an operator in Temporal: the workflow ends Canceled, as the Web UI and CLI expect.
  if (run.order.state.cancellation?.by.type === 'operator') {
    throw new CancelledFailure('Order cancelled by an operator in Temporal')
  }
  return run.order.state
}

/** The happy path, from placement to the end of the parcel's journey. */
async function fulfil(run: OrderRun): Promise<void> {
  const { input, order, inbox } = run
  await checkPriceStillHolds(run)
  stopIfCancelRequested(inbox)
  await reserveStock(run)
  stopIfCancelRequested(inbox)
  if (input.payment.method !== 'cod') {
    await holdPayment(run)
    stopIfCancelRequested(inbox)
  } else {
    await awaitCodConfirmation(run)
  }
  order.moveTo('CONFIRMED')
  await order.save()
  await order.notify('confirmed')
  stopIfCancelRequested(inbox)
  await buyLabel(run)
  await whileTheParcelTravels(run)
  await actOnCancelRequest(run)
}

/**
 * Follows the parcel until its journey ends, acting on what arrives meanwhile:
 * carrier news first (a pickup that reached the order before a cancellation
 * is applied before it), then a cancellation, refunds asked for in transit,
 * and the held authorization about to lapse before pickup.
 */
async function whileTheParcelTravels(run: OrderRun): Promise<void> {
  const { order, inbox, refunds } = run
  while (!finalStatuses.has(order.state.status)) {
    const news = () => inbox.carrierEvents.length > 0 || inbox.cancelRequest !== null || refunds.waiting.length > 0
    const holdLeft = authorizationTimeLeft(run)
    const lapses = timerSummaries.authorizationLapses(order.state.payment.authorizationExpiresAt ?? '')
    const woken = holdLeft === null ? (await condition(news), true) : await condition(news, holdLeft, { summary: lapses })
    if (inbox.carrierEvents.length === 0) await actOnCancelRequest(run)
    if (!woken) {
      const why = 'The payment authorization would lapse before the carrier picked the parcel up'
      throw new OrderCancellation('authorization_expired', SYSTEM, why)
    }
    await refundOnRequest(order, refunds)
    const event = inbox.carrierEvents.shift()
    if (event) await followCarrier(run, event)
  }
}

/** The order has ended: refunds still waiting are answered, late carrier news noted, every handler let finish. */
async function closeTheBooks(run: OrderRun): Promise<void> {
  run.refunds.closed = true
  if (run.inbox.carrierEvents.length > 0 && patched('late-carrier-events-noted') && noteLateCarrierEvents(run)) {
    await run.order.save()
  }
  await condition(allHandlersFinished)
}

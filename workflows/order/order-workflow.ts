/**
 * One order, from placement to delivery, as a durable Temporal workflow.
 *
 * Read it top to bottom as the order's story: price, reserve, pay (or wait for an admin to confirm cash on delivery),
 * ship (one parcel followed here, or a shipment child workflow per parcel: `split-shipment.ts`), follow the carrier,
 * deliver, and close (after-sales is `workflows/after-sales/`). Each step lives in a module named for what it does;
 * every step that succeeds registers its undo (`compensation.ts`), and a cancellation, a decline or a lapsed
 * confirmation runs the undos in reverse, where nothing can cancel them (`leaving-the-happy-path.ts`).
 *
 * A Temporal-level cancellation (Request Cancellation, `temporal workflow cancel`, `handle.cancel()`) cannot cut the
 * story short: it is an operator's cancellation, honoured like a customer's before hand-over and recorded as too late
 * after it (`operator-cancellation.ts`).
 *
 * Versioning: orders stay open for weeks, so a change that issues other commands branches on a patch (`order-code.ts`).
 */
import { CancellationScope, CancelledFailure, allHandlersFinished, condition } from '@temporalio/workflow'
import { finalStatuses } from '../../domain/order-rules.js'
import { timerSummaries } from '../../domain/order-summaries.js'
import type { OrderState } from '../../domain/order-types.js'
import { runDatabaseStepsLocally } from './activity-proxies.js'
import { AuthorizationLapse } from './authorization-lapse.js'
import { actOnCancelRequest, OrderCancellation, stopIfCancelRequested } from './cancellation.js'
import { awaitCodConfirmation } from './cash-on-delivery.js'
import { Compensation } from './compensation.js'
import { type OrderWorkflowInput, continueAsNewIfLong } from './continue-as-new.js'
import { leaveHappyPath } from './leaving-the-happy-path.js'
import { listenForMessages } from './message-handlers.js'
import { OrderCode } from './order-code.js'
import { OrderInbox } from './order-inbox.js'
import { OrderRecord, SYSTEM } from './order-record.js'
import type { OrderRun } from './order-run.js'
import { ParcelFleet, planOrOneParcel } from './parcel-fleet.js'
import { buyLabel, followCarrier, noteLateCarrierEvents } from './parcel-journey.js'
import { authorizationTimeLeft, holdPayment } from './payment.js'
import { checkPriceStillHolds, reserveStock } from './placement.js'
import { RefundQueue, closeAtTheJourneysEnd, refundOnRequest } from './refunds.js'
import { shipParcels, whileTheParcelsTravel } from './split-shipment.js'

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderState> {
  const carried = input.carriedOver
  const code = new OrderCode()
  const run: OrderRun = {
    input,
    code,
    order: new OrderRecord(input, carried?.record),
    inbox: new OrderInbox(carried?.inbox),
    refunds: RefundQueue.carriedOver(carried?.refunds),
    undo: new Compensation(),
    parcels: null,
  }
  // Small history (one local call per change), then parcels (edits); older orders keep theirs.
  if (code.has('small-history')) {
    run.order.smallHistory = true
    runDatabaseStepsLocally()
  }
  if (!carried && code.has('parcels')) run.parcels = new ParcelFleet(run.order.state)
  else if (carried?.fleet) run.parcels = ParcelFleet.carriedOver(run.order.state, carried.fleet)
  listenForMessages(run)
  if (carried) run.order.republishStatus()
  else run.order.publishTotal()
  await CancellationScope.nonCancellable(async () => {
    try {
      await fulfil(run, input)
      await closeAtTheJourneysEnd(run.order, run.refunds, code, {
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

/** The happy path, from placement (unless an earlier run of this order got the parcel on its way) to the journey's end. */
async function fulfil(run: OrderRun, input: OrderWorkflowInput): Promise<void> {
  if (!input.carriedOver) await placeAndShip(run)
  if (run.parcels) return whileTheParcelsTravel(run, run.parcels, input)
  await whileTheParcelTravels(run, input)
  await actOnCancelRequest(run)
}

/** Prices, reserves, pays (or waits for an admin's confirmation), and buys the label (or the parcels' labels). */
async function placeAndShip(run: OrderRun): Promise<void> {
  const { input, order, inbox } = run
  await checkPriceStillHolds(run)
  stopIfCancelRequested(inbox)
  const plan = await reserveStock(run)
  stopIfCancelRequested(inbox)
  if (input.payment.method !== 'cod') {
    await holdPayment(run)
    stopIfCancelRequested(inbox)
  } else {
    await awaitCodConfirmation(run)
  }
  order.moveTo('CONFIRMED')
  await order.save({ kind: 'confirmed' })
  stopIfCancelRequested(inbox)
  await (run.parcels ? shipParcels(run, run.parcels, planOrOneParcel(plan, order.state.lines)) : buyLabel(run))
}

/**
 * Follows the one parcel until its journey ends, acting on what arrives meanwhile: carrier news first (a pickup that
 * reached the order before a cancellation is applied first), then a cancellation, refunds, the hold about to lapse.
 */
async function whileTheParcelTravels(run: OrderRun, input: OrderWorkflowInput): Promise<void> {
  const { order, inbox, refunds } = run
  const lapse = new AuthorizationLapse()
  while (!finalStatuses.has(order.state.status)) {
    await continueAsNewIfLong(run, input)
    const news = () => inbox.carrierEvents.length > 0 || inbox.cancelRequest !== null || refunds.waiting.length > 0
    const holdLeft = authorizationTimeLeft(run)
    const lapses = timerSummaries.authorizationLapses(order.state.payment.authorizationExpiresAt ?? '')
    const woken =
      holdLeft === null
        ? (await condition(news), true)
        : order.smallHistory
          ? await Promise.race([condition(news).then(() => true), lapse.after(run, holdLeft, lapses)])
          : await condition(news, holdLeft, { summary: lapses })
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
  run.refunds.close()
  if (run.inbox.carrierEvents.length > 0 && run.code.has('late-carrier-events-noted') && noteLateCarrierEvents(run)) {
    await run.order.save()
  }
  await condition(allHandlersFinished)
}

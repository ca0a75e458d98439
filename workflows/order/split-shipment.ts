/**
 * The order's story from its labels to the journey's end, when it ships in
 * parcels (an order placed on the `parcels` code, even one with a single
 * parcel, which it follows itself): the labels bought, then the
 * wait for news, acting on it as the one-parcel order does (carrier news
 * first, then a cancellation, refunds, the hold about to lapse before the
 * first hand-over), and a customer's cancellation of the parcels the carrier
 * does not have yet.
 */
import { condition } from '@temporalio/workflow'
import type { FulfilmentParcel } from '../../domain/fulfilment.js'
import {
  finalStatuses,
  handedOver,
  parcelCancellationRefusal,
  parcelGivenUp,
  parcelHandedOver,
  parcelLinesTotal,
} from '../../domain/order-rules.js'
import { stepSummaries, timerSummaries } from '../../domain/order-summaries.js'
import { paymentProviderOf } from '../../domain/order-payment.js'
import type { CancelOrderRequest } from '../messages.js'
import { activities, payments } from './activity-proxies.js'
import { AuthorizationLapse } from './authorization-lapse.js'
import { OrderCancellation, actOnCancelRequest, stopIfCancelRequested } from './cancellation.js'
import { type OrderWorkflowInput, continueAsNewIfLong } from './continue-as-new.js'
import { applyEdit } from './order-edits.js'
import type { OrderRun } from './order-run.js'
import { SYSTEM } from './order-record.js'
import type { ParcelFleet } from './parcel-fleet.js'
import { applyCarrierReport, capturesPerParcel, settle } from './parcel-news.js'
import { authorizationTimeLeft } from './payment.js'
import { giveBack, noticeOfRefund, refundOnRequest } from './refunds.js'

/** Starts a shipment child per parcel and waits for their labels; the undo gives every parcel up (labels cancelled). */
export async function shipParcels(run: OrderRun, fleet: ParcelFleet, plan: FulfilmentParcel[]): Promise<void> {
  const { order, inbox } = run
  await fleet.start(run, plan)
  run.undo.add(() => fleet.giveUp(run, fleet.parcels))
  while (!fleet.labelsAnswered()) {
    await condition(() => fleet.reports.length > 0 || inbox.cancelRequest !== null)
    stopIfCancelRequested(inbox)
    const report = fleet.nextReport()
    if (report) fleet.applyLabelReport(run, report)
  }
  if (fleet.parcels.some(parcelGivenUp)) {
    throw new OrderCancellation('processing_failed', SYSTEM, 'A parcel could not get its label; staff were told')
  }
  order.state.fulfillmentStatus = 'LABEL_CREATED'
  order.republishStatus()
  await order.save()
}

/**
 * Follows the parcels until every journey ends, acting on what arrives meanwhile. A cancellation waits while a
 * carrier event routed to a parcel is unanswered: a pickup that reached the order first is applied first.
 */
export async function whileTheParcelsTravel(run: OrderRun, fleet: ParcelFleet, input: OrderWorkflowInput): Promise<void> {
  const { order, inbox, refunds } = run
  const lapse = new AuthorizationLapse()
  while (!finalStatuses.has(order.state.status)) {
    await continueAsNewIfLong(run, input)
    // A cancellation or an edit waits for carrier news already on its way: a pickup that came first wins.
    const quiet = () => fleet.inFlight === 0 && fleet.reports.length === 0 && inbox.carrierEvents.length === 0
    const cancelReady = () => inbox.cancelRequest !== null && quiet()
    const editReady = () => inbox.edits.length > 0 && quiet()
    const news = () =>
      inbox.carrierEvents.length > 0 || fleet.reports.length > 0 || cancelReady() || editReady() || refunds.waiting.length > 0
    const holdLeft = handedOver(order.state) ? null : authorizationTimeLeft(run)
    const lapses = timerSummaries.authorizationLapses(order.state.payment.authorizationExpiresAt ?? '')
    const woken =
      holdLeft === null
        ? (await condition(news), true)
        : await Promise.race([condition(news).then(() => true), lapse.after(run, holdLeft, lapses)])
    await fleet.routeCarrierEvents(run)
    if (cancelReady()) await actOnParcelCancelRequest(run, fleet)
    const queuedEdit = editReady() ? inbox.edits.shift() : undefined
    if (queuedEdit) await applyEdit(run, fleet, queuedEdit)
    if (!woken && !handedOver(order.state)) {
      const why = 'The payment authorization would lapse before the carrier picked a parcel up'
      throw new OrderCancellation('authorization_expired', SYSTEM, why)
    }
    await refundOnRequest(order, refunds)
    const report = fleet.nextReport()
    if (report?.kind === 'carrier_event') await applyCarrierReport(run, fleet, report)
    else if (report && fleet.applyLabelReport(run, report)) await order.save()
  }
  await actOnParcelCancelRequest(run, fleet)
}

/** Acts on a cancellation asked for: some parcels after the first hand-over (when it names them), else as ever. */
export async function actOnParcelCancelRequest(run: OrderRun, fleet: ParcelFleet): Promise<void> {
  const request = run.inbox.cancelRequest
  const state = run.order.state
  if (request?.shipmentIds?.length && handedOver(state) && parcelCancellationRefusal(state, request) === null) {
    return cancelParcels(run, fleet, request)
  }
  return actOnCancelRequest(run)
}

/**
 * After the first hand-over, a customer (or an admin) cancels parcels the carrier does not have yet: their labels
 * cancelled, their stock released, their money never taken (the rest of a per-parcel authorization released once
 * nothing else is to be captured) or, where the whole was captured at the first hand-over (Stripe), refunded.
 */
async function cancelParcels(run: OrderRun, fleet: ParcelFleet, request: CancelOrderRequest): Promise<void> {
  const { input, order, inbox, refunds } = run
  const state = order.state
  inbox.cancelRequest = null
  const ids = new Set(request.shipmentIds ?? [])
  await fleet.giveUp(
    run,
    fleet.parcels.filter((parcel) => ids.has(parcel.id)),
    request.actor,
  )
  const givenUp = fleet.parcels.filter((parcel) => ids.has(parcel.id) && parcelGivenUp(parcel))
  const numbers = givenUp.map((parcel) => parcel.parcel)
  if (givenUp.length > 0) {
    const lines = givenUp.flatMap((parcel) => parcel.lines)
    await order.unlessFailedForGood(() =>
      activities.releaseStock.executeWithOptions({ summary: stepSummaries.releaseStock(lines) }, [
        { orderId: input.orderId, parcels: numbers },
      ]),
    )
    order.note(SYSTEM, 'stock_released', `Stock reserved for parcels ${numbers.join(', ')} released`, { parcels: numbers })
    const amount = givenUp.reduce((sum, parcel) => sum + parcelLinesTotal(state.lines, parcel.lines), 0)
    const nothingLeftToCapture = fleet.parcels.every((parcel) => parcelGivenUp(parcel) || parcelHandedOver(parcel))
    if (state.paymentStatus === 'AUTHORIZED' && capturesPerParcel(run) && nothingLeftToCapture) {
      await releaseTheRest(run)
    } else if (!capturesPerParcel(run) && state.payment.captured > 0 && amount > 0) {
      const why = `parcels ${numbers.join(', ')} cancelled before hand-over`
      const outcome = await giveBack(order, refunds, { amount, by: request.actor, reason: 'order_cancelled', why })
      await noticeOfRefund(order, outcome)
    }
  }
  order.note(request.actor, 'parcels_cancelled', `Parcels cancelled before hand-over: ${numbers.join(', ') || 'none'}`, {
    shipmentIds: [...ids],
    note: request.note,
  })
  inbox.parcelsCancelledFor = request
  await settle(run, fleet, null, SYSTEM)
}

/** Nothing more will be captured: what the authorization still holds is released. */
async function releaseTheRest({ input, order }: OrderRun): Promise<void> {
  const state = order.state
  const provider = paymentProviderOf(input.payment)
  const reference = state.payment.reference
  if (!reference) return
  await order.unlessFailedForGood(() =>
    payments.voidPayment.executeWithOptions({ summary: stepSummaries.voidPayment(provider) }, [
      { orderId: input.orderId, provider, reference },
    ]),
  )
  const released = state.payment.authorized - state.payment.captured
  state.paymentStatus = 'PAID'
  order.note(SYSTEM, 'payment_voided', `The rest of the authorization (${released}) released`, { amount: released })
}

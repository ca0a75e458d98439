/**
 * What a parcel's news means for the order: a carrier event its child
 * applied (hand-over: its stock committed, its share captured; delivery;
 * return: its own lines refunded and restocked), and the order's status once
 * every parcel has got that far: `SHIPPED` when the carrier has every parcel,
 * `DELIVERED` when every journey is over with one delivered, `RETURNED` when
 * all came back; `PARTIALLY_SHIPPED` / `PARTIALLY_DELIVERED` in between.
 *
 * Money per parcel: the sandbox and PayPal capture each parcel's share of one
 * authorization at its hand-over (the last one a final capture, the first
 * with the shipping); Stripe (a PaymentIntent without multicapture) captures
 * the whole at the first hand-over, and a parcel given up after it is refunded.
 */
import { paymentProviderOf } from '../../domain/order-payment.js'
import {
  fulfillmentOfParcels,
  parcelEnded,
  parcelGivenUp,
  parcelHandedOver,
  parcelLinesTotal,
  refundableAmount,
  shippingGoesWith,
} from '../../domain/order-rules.js'
import { stepSummaries } from '../../domain/order-summaries.js'
import type { Actor, CarrierEvent, ParcelView } from '../../domain/order-types.js'
import type { ParcelReport } from '../shipment/messages.js'
import { type Notice, activities, payments } from './activity-proxies.js'
import { collectCash } from './cash-on-delivery.js'
import type { OrderRun } from './order-run.js'
import { SYSTEM } from './order-record.js'
import type { ParcelFleet } from './parcel-fleet.js'
import { giveBack } from './refunds.js'

type CarrierReport = Extract<ParcelReport, { kind: 'carrier_event' }>

/** Applies one carrier event a parcel's child reported. */
export async function applyCarrierReport(run: OrderRun, fleet: ParcelFleet, report: CarrierReport): Promise<void> {
  const { order } = run
  const parcel = fleet.parcels.find((view) => view.parcel === report.parcel)
  if (!parcel || report.effect === 'ignored') return
  const { event } = report
  const carrier: Actor = { type: 'carrier', id: parcel.carrier }
  const data = { eventId: event.eventId, status: event.status, occurredAt: event.occurredAt, location: event.location }
  const n = parcel.parcel
  run.inbox.seenCarrierEvents.add(event.eventId)
  if (report.effect === 'stale') {
    order.note(carrier, 'carrier_event', `${event.status} arrived out of order${fleet.which(parcel)}; status unchanged`, {
      ...data,
      parcel: n,
    })
    return order.save()
  }
  const wasHandedOver = parcelHandedOver(parcel)
  parcel.events.push(event)
  if (report.effect === 'exception') return noteException(run, fleet, parcel, carrier, { ...data, parcel: n })
  parcel.status = event.status
  if (n === 1 && order.state.shipment) {
    order.state.shipment.progress = report.progress
    order.state.shipment.lastEventAt = event.occurredAt
  }
  order.note(carrier, 'carrier_event', `Carrier: ${event.status}${fleet.which(parcel)}`, { ...data, parcel: n })
  if (report.handedOver && !wasHandedOver) await handOver(run, fleet, parcel)
  const refunded = event.status === 'RETURNED_TO_SENDER' ? await returnToStock(run, parcel) : false
  // The refund's own number: a return after partial refunds is a notice of its own.
  await settle(run, fleet, event, carrier, refunded ? [{ kind: 'refunded', occurrence: run.refunds.made }] : [])
}

async function noteException(
  run: OrderRun,
  fleet: ParcelFleet,
  parcel: ParcelView,
  carrier: Actor,
  data: Record<string, unknown>,
) {
  const { order } = run
  order.note(carrier, 'carrier_event', `The carrier reported a delivery exception${fleet.which(parcel)}`, data)
  if (order.state.payment.method === 'cod' && parcelHandedOver(parcel)) {
    order.note(carrier, 'cod_delivery_failed', 'Cash on delivery: delivery failed, nothing collected', data)
  }
  order.state.fulfillmentStatus = 'EXCEPTION'
  order.republishStatus()
  await order.save({ kind: 'delivery_exception' })
}

/** The carrier has this parcel: its stock committed, its share of the money captured; nothing is undone any more. */
async function handOver(run: OrderRun, fleet: ParcelFleet, parcel: ParcelView): Promise<void> {
  const { input, order } = run
  run.undo.forget()
  const summary = stepSummaries.commitStock(parcel.lines)
  await order.unlessFailedForGood(() =>
    activities.commitStock.executeWithOptions({ summary }, [{ orderId: input.orderId, parcels: [parcel.parcel] }]),
  )
  await captureShare(run, fleet, parcel)
}

/** Whether the order's provider takes several captures of one authorization (the sandbox, PayPal; not Stripe). */
export function capturesPerParcel({ input }: OrderRun): boolean {
  return paymentProviderOf(input.payment) !== 'stripe'
}

/** Captures what the parcel carries (the last parcel: all that is left, a final capture); Stripe: the whole, once. */
async function captureShare(run: OrderRun, fleet: ParcelFleet, parcel: ParcelView): Promise<void> {
  const { input, order } = run
  const state = order.state
  const reference = state.payment.reference
  if (state.paymentStatus !== 'AUTHORIZED' || !reference) return
  const provider = paymentProviderOf(input.payment)
  const stillToHandOver = fleet.parcels.filter((p) => p !== parcel && !parcelGivenUp(p) && !parcelHandedOver(p))
  const final = !capturesPerParcel(run) || stillToHandOver.length === 0
  const share = parcelLinesTotal(state.lines, parcel.lines) + (shippingGoesWith(state) ? state.totals.shipping : 0)
  // The final capture takes what is still owed: the total, less what was captured and what given-up parcels carry.
  const givenUp = fleet.parcels.filter(parcelGivenUp).reduce((sum, p) => sum + parcelLinesTotal(state.lines, p.lines), 0)
  // What edits added is held (and captured) apart; the order's own authorization carries the rest.
  const added = (state.payment.extraAuthorizations ?? []).reduce((sum, extra) => sum + extra.amount, 0)
  const owed = Math.min(state.totals.total - added, state.payment.authorized - added) - givenUp - state.payment.captured
  const amount = final ? owed : Math.min(share, owed)
  if (amount <= 0) return final ? finishWithNothingMore(run, fleet) : undefined
  const money = { amount, currency: state.totals.currency }
  const captureNumber = fleet.captures + 1
  const capture = await order.unlessFailedForGood(() =>
    payments.capturePayment.executeWithOptions({ summary: stepSummaries.capturePayment(money, provider) }, [
      { orderId: input.orderId, provider, reference, amount: money, captureNumber, ...(final ? {} : { finalCapture: false }) },
    ]),
  )
  if (!capture) return
  fleet.captures = captureNumber
  state.payment.captured += capture.amount
  if (final) await captureExtras(run, fleet)
  if (final) state.paymentStatus = 'PAID'
  const message = capturesPerParcel(run)
    ? `Captured ${capture.amount} for parcel ${parcel.parcel} at its hand-over`
    : `Payment captured at the first hand-over (parcel ${parcel.parcel})`
  order.note(SYSTEM, 'payment_captured', message, { amount: capture.amount, parcel: parcel.parcel, final })
}

/** The order's own authorization has nothing more to give (an edit moved the rest to its own): released; extras taken. */
async function finishWithNothingMore(run: OrderRun, fleet: ParcelFleet): Promise<void> {
  const { input, order } = run
  const state = order.state
  const provider = paymentProviderOf(input.payment)
  const reference = state.payment.reference ?? ''
  await order.unlessFailedForGood(() =>
    payments.voidPayment.executeWithOptions({ summary: stepSummaries.voidPayment(provider) }, [
      { orderId: input.orderId, provider, reference },
    ]),
  )
  await captureExtras(run, fleet)
  state.paymentStatus = 'PAID'
}

/** With the final capture, what edits added (their own authorizations) is captured whole. */
async function captureExtras({ input, order }: OrderRun, fleet: ParcelFleet): Promise<void> {
  const state = order.state
  const provider = paymentProviderOf(input.payment)
  for (const extra of state.payment.extraAuthorizations ?? []) {
    const money = { amount: extra.amount, currency: state.totals.currency }
    const captureNumber = fleet.captures + 1
    const capture = await order.unlessFailedForGood(() =>
      payments.capturePayment.executeWithOptions({ summary: stepSummaries.capturePayment(money, provider) }, [
        { orderId: input.orderId, provider, reference: extra.reference, amount: money, captureNumber },
      ]),
    )
    if (!capture) continue
    fleet.captures = captureNumber
    state.payment.captured += capture.amount
    order.note(SYSTEM, 'payment_captured', `Captured ${capture.amount} an edit added`, { amount: capture.amount, final: true })
  }
}

/** The parcel came back: what its lines cost refunded (when captured), its lines back in stock. Whether it refunded. */
async function returnToStock(run: OrderRun, parcel: ParcelView): Promise<boolean> {
  const { input, order, refunds } = run
  const state = order.state
  // An order in one parcel refunds everything captured when it comes back, shipping included, as it always did.
  const lines = state.shipments?.length === 1 ? state.totals.total : parcelLinesTotal(state.lines, parcel.lines)
  const amount = Math.min(lines, refundableAmount(state))
  let outcome: Awaited<ReturnType<typeof giveBack>> | null = null
  if (amount > 0 && state.payment.reference) {
    const why = `parcel ${parcel.parcel} returned to sender`
    outcome = await giveBack(order, refunds, {
      amount,
      by: SYSTEM,
      reason: 'parcel_returned',
      why,
      details: { parcel: parcel.parcel },
    })
    if ('refunded' in outcome) order.state.paymentStatus = refundableAmount(state) === 0 ? 'REFUNDED' : 'PARTIALLY_REFUNDED'
  }
  const summary = stepSummaries.restockReturnedItems(parcel.lines)
  const restocked = await order.unlessFailedForGood(() =>
    activities.restockReturnedItems.executeWithOptions({ summary }, [{ orderId: input.orderId, parcels: [parcel.parcel] }]),
  )
  if (restocked !== null) {
    order.note(SYSTEM, 'stock_returned', 'Returned items put back in stock', { parcel: parcel.parcel })
  }
  return outcome !== null && 'refunded' in outcome
}

/**
 * The order's status from its parcels: `SHIPPED` once the carrier has every parcel still shipping, `DELIVERED` once
 * every journey is over and one was delivered (cash collected at the last door), `RETURNED` when every parcel came
 * back; the fulfillment status says how far the parcels got. Saved, with the customer's notice of a new status.
 */
export async function settle(
  run: OrderRun,
  fleet: ParcelFleet,
  event: CarrierEvent | null,
  carrier: Actor,
  notices: Notice[] = [],
): Promise<void> {
  const { order, input } = run
  const state = order.state
  const parcels = fleet.parcels
  const live = parcels.filter((parcel) => !parcelGivenUp(parcel))
  state.fulfillmentStatus = fulfillmentOfParcels(parcels)
  const before = state.status
  if (live.length > 0 && live.every(parcelEnded)) {
    if (live.some((parcel) => parcel.status === 'DELIVERED')) {
      if (state.payment.method === 'cod' && event) await collectCash(run, event, carrier)
      else if ((input.refundWindowMs ?? 0) > 0 && refundableAmount(state) > 0) {
        state.payment.refundableUntil = new Date(Date.now() + (input.refundWindowMs ?? 0)).toISOString()
      }
      order.moveTo('DELIVERED')
    } else {
      if (state.payment.method === 'cod') state.paymentStatus = 'VOIDED'
      order.moveTo('RETURNED')
    }
  } else if (live.length > 0 && live.every(parcelHandedOver)) order.moveTo('SHIPPED')
  else order.republishStatus()
  const kinds = { SHIPPED: 'shipped', DELIVERED: 'delivered', RETURNED: 'returned' } as const
  const kind = state.status !== before && state.status in kinds ? kinds[state.status as keyof typeof kinds] : null
  await (kind ? order.save({ kind }, ...notices) : order.save(...notices))
}

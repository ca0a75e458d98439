/**
 * The parcel's journey: a label bought, the carrier's events followed in
 * arrival order (repeats dropped, backward steps noted), hand-over (stock
 * committed, payment captured), delivery, or the return to sender.
 *
 * It knows the order only through {@link OrderRun}; when an order ships in
 * several parcels, `buyLabel` and `followCarrier` are the body of a parcel's
 * child workflow, and hand-over, delivery and return the news it reports back.
 */
import { HANDED_OVER_RANK, JOURNEY_END_RANK, type CarrierEventEffect, carrierEventEffect } from '../../domain/carrier-progress.js'
import { refundableAmount } from '../../domain/order-rules.js'
import { stepSummaries } from '../../domain/order-summaries.js'
import type { Actor, CarrierEvent } from '../../domain/order-types.js'
import { activities } from './activity-proxies.js'
import { collectCash } from './cash-on-delivery.js'
import type { OrderRun } from './order-run.js'
import { SYSTEM } from './order-record.js'
import { captureAtHandOver } from './payment.js'
import { giveBack } from './refunds.js'

/** Buys the shipping label; its undo cancels it. */
export async function buyLabel(run: OrderRun): Promise<void> {
  const { input, order } = run
  const lines = order.state.lines.map(({ sku, quantity }) => ({ sku, quantity }))
  const label = await activities.createShipment.executeWithOptions(
    { summary: stepSummaries.createShipment(lines, input.shippingAddress.country) },
    [{ orderId: input.orderId, address: input.shippingAddress, lines }],
  )
  order.state.shipment = { ...label, progress: 1, lastEventAt: null }
  order.state.fulfillmentStatus = 'LABEL_CREATED'
  run.undo.add(async () => {
    await activities.cancelShipment.executeWithOptions({ summary: stepSummaries.cancelShipment(label.trackingNumber) }, [
      { orderId: input.orderId, trackingNumber: label.trackingNumber },
    ])
    order.state.fulfillmentStatus = 'LABEL_CANCELLED'
    order.note(SYSTEM, 'label_cancelled', 'Shipping label cancelled', { trackingNumber: label.trackingNumber })
  })
  order.note(SYSTEM, 'label_created', `Shipping label created with ${label.carrier}`, {
    carrier: label.carrier,
    trackingNumber: label.trackingNumber,
  })
  order.republishStatus()
  await order.save()
}

/** Applies one carrier event: dedupe, ignore what moves backwards, act on hand-over and journey's end. */
export async function followCarrier(run: OrderRun, event: CarrierEvent): Promise<void> {
  const { order, inbox } = run
  const shipment = order.state.shipment
  if (!shipment || event.trackingNumber !== shipment.trackingNumber) return
  const effect = carrierEventEffect(shipment, inbox.seenCarrierEvents, event)
  if (effect.kind === 'duplicate') return
  inbox.seenCarrierEvents.add(event.eventId)
  const carrier: Actor = { type: 'carrier', id: shipment.carrier }
  const eventData = { eventId: event.eventId, status: event.status, occurredAt: event.occurredAt, location: event.location }
  if (effect.kind === 'stale') {
    // A repeated scan (the status the parcel already has, again) moves nothing: it costs its signal, and its id is kept.
    if (order.smallHistory && repeatsTheLastScan(run, event)) return
    order.note(carrier, 'carrier_event', `${event.status} arrived out of order; status unchanged`, eventData)
    return order.save()
  }
  if (effect.kind === 'exception') return noteDeliveryException(run, carrier, eventData)
  shipment.progress = effect.progress
  shipment.lastEventAt = event.occurredAt
  order.state.fulfillmentStatus = event.status
  order.note(carrier, 'carrier_event', `Carrier: ${event.status}`, eventData)
  await moveAlong(run, effect, event, carrier)
}

/** The scan says what the parcel's last scan said: the same place on its journey, before its end. */
function repeatsTheLastScan({ order }: OrderRun, event: CarrierEvent): boolean {
  const shipment = order.state.shipment
  return event.status === order.state.fulfillmentStatus && (shipment?.progress ?? 0) < JOURNEY_END_RANK
}

type Advance = Extract<CarrierEventEffect, { kind: 'advance' }>

/** What a step forward means for the order: hand-over, delivery, return, or news to publish. */
async function moveAlong(run: OrderRun, effect: Advance, event: CarrierEvent, carrier: Actor): Promise<void> {
  if (effect.handedOver) await handOver(run)
  if (effect.delivered) await deliver(run, event, carrier)
  else if (effect.returned) await returnToStock(run)
  else if (!effect.handedOver) {
    run.order.republishStatus()
    await run.order.save()
  }
}

async function noteDeliveryException(run: OrderRun, carrier: Actor, eventData: Record<string, unknown>): Promise<void> {
  const { order } = run
  order.state.fulfillmentStatus = 'EXCEPTION'
  order.note(carrier, 'carrier_event', 'The carrier reported a delivery exception', eventData)
  if (order.state.payment.method === 'cod' && (order.state.shipment?.progress ?? 0) >= HANDED_OVER_RANK) {
    order.note(carrier, 'cod_delivery_failed', 'Cash on delivery: delivery failed, nothing collected', eventData)
  }
  order.republishStatus()
  await order.save({ kind: 'delivery_exception' })
}

/** The carrier has the parcel: from here the order keeps its money and its parcel, so nothing is undone any more. */
async function handOver(run: OrderRun): Promise<void> {
  const { input, order } = run
  run.undo.forget()
  const summary = stepSummaries.commitStock(order.state.lines)
  await order.unlessFailedForGood(() => activities.commitStock.executeWithOptions({ summary }, [{ orderId: input.orderId }]))
  await captureAtHandOver(run)
  order.moveTo('SHIPPED')
  await order.save({ kind: 'shipped' })
}

/** Delivered: cash collected at the door, or the refund window opened for a card or PayPal order. */
async function deliver(run: OrderRun, event: CarrierEvent, carrier: Actor): Promise<void> {
  const { input, order } = run
  const refundWindowMs = input.refundWindowMs ?? 0
  if (order.state.payment.method === 'cod') await collectCash(run, event, carrier)
  else if (refundWindowMs > 0 && refundableAmount(order.state) > 0) {
    order.state.payment.refundableUntil = new Date(Date.now() + refundWindowMs).toISOString()
  }
  order.moveTo('DELIVERED')
  await order.save({ kind: 'delivered' })
}

/** The parcel came back: refund what was captured and put the goods back on the shelf. */
async function returnToStock(run: OrderRun): Promise<void> {
  const { input, order, refunds } = run
  const state = order.state
  if (refundableAmount(state) > 0 && state.payment.reference) {
    const amount = refundableAmount(state)
    await giveBack(order, refunds, { amount, by: SYSTEM, reason: 'parcel_returned', why: 'parcel returned to sender' })
  } else if (state.payment.method === 'cod') {
    state.paymentStatus = 'VOIDED'
  }
  const summary = stepSummaries.restockReturnedItems(state.lines)
  const restocked = await order.unlessFailedForGood(() =>
    activities.restockReturnedItems.executeWithOptions({ summary }, [{ orderId: input.orderId }]),
  )
  if (restocked !== null) order.note(SYSTEM, 'stock_returned', 'Returned items put back in stock')
  order.moveTo('RETURNED')
  // The refund's own number: a return after partial refunds is a notice of its own.
  const refunded = state.paymentStatus === 'REFUNDED' ? [{ kind: 'refunded' as const, occurrence: refunds.made }] : []
  await order.save({ kind: 'returned' }, ...refunded)
}

/** Notes carrier events that came after the journey's end or the cancellation: none is dropped. */
export function noteLateCarrierEvents({ order, inbox }: OrderRun): boolean {
  const late = inbox.carrierEvents.splice(0)
  const carrier: Actor = { type: 'carrier', id: order.state.shipment?.carrier ?? null }
  for (const { eventId, status, occurredAt, location } of late) {
    if (inbox.seenCarrierEvents.has(eventId)) continue
    inbox.seenCarrierEvents.add(eventId)
    const message = `${status} arrived after the order was ${order.state.status.toLowerCase()}; nothing changes`
    order.note(carrier, 'carrier_event', message, { eventId, status, occurredAt, location })
  }
  return late.length > 0
}

/**
 * A return's steps, from the customer's request to its refund (or its
 * exchange): each changes the return, notes it in the order's timeline, tells
 * the customer and writes the read model, through the `AfterSalesRecord`.
 */
import { ApplicationFailure, uuid4 } from '@temporalio/workflow'
import type { CarrierEvent } from '../../domain/order-types.js'
import { EXCHANGE_TOP_UP_CAP, type ReturnState, refundOfReceipt, returnRequestRefusal } from '../../domain/returns.js'
import { UPDATE_REFUSED, refuseUpdate } from '../messages.js'
import { businessRefusalOf } from '../order/business-refusal.js'
import type { ReturnDecision, ReturnReceipt, ReturnRequest } from './messages.js'
import { type AfterSalesRecord, SYSTEM, now } from './after-sales-record.js'
import { activities } from './activity-proxies.js'
import { owe, refund } from './money-back.js'

/** Where a return stands in the order's timeline and the customer's notices: one occurrence per return. */
const occurrenceOf = (sales: AfterSalesRecord, ret: ReturnState) => sales.state.returns.indexOf(ret) + 1

/**
 * Takes the return on at once (so the next request counts its units), before
 * anything is awaited; checked again here, since validators of requests that
 * arrive together run before their handlers.
 */
export function takeReturn(sales: AfterSalesRecord, request: ReturnRequest): ReturnState {
  const refusal = returnRequestRefusal(sales.state, sales.order, request, Date.now())
  if (refusal) throw refuseUpdate(refusal)
  const at = now()
  const ret: ReturnState = {
    id: request.returnId,
    orderId: sales.order.orderId,
    status: 'REQUESTED',
    lines: request.lines.map(({ sku, quantity, reason }) => ({ sku, quantity, reason })),
    note: request.note,
    label: null,
    shipBy: null,
    received: [],
    refund: null,
    exchange: null,
    restocked: 0,
    writtenOff: 0,
    requestedAt: at,
    updatedAt: at,
    timeline: [],
  }
  sales.state.returns.push(ret)
  return ret
}

/** Prices the exchange asked for (if any) and records the request. */
export async function recordRequest(sales: AfterSalesRecord, ret: ReturnState, request: ReturnRequest): Promise<ReturnState> {
  if (request.exchange?.length) {
    try {
      ret.exchange = await priceExchange(sales, ret, request.exchange)
    } catch (error) {
      sales.state.returns.splice(sales.state.returns.indexOf(ret), 1)
      throw error
    }
  }
  const units = ret.lines.reduce((sum, line) => sum + line.quantity, 0)
  const what = ret.exchange ? 'an exchange' : 'a refund'
  sales.note(ret, request.actor, 'return_requested', `Return of ${units} item(s) requested, for ${what}`, {
    lines: ret.lines,
    exchange: ret.exchange?.lines ?? null,
  })
  sales.tell({ kind: 'return_requested', occurrence: occurrenceOf(sales, ret), data: { returnId: ret.id, lines: ret.lines } })
  sales.count(ret, 'requested')
  await sales.save(`Record return ${ret.id.slice(0, 8)} REQUESTED`)
  return ret
}

/** The replacement lines at today's catalog price in the order's currency, costing at most what comes back. */
async function priceExchange(sales: AfterSalesRecord, ret: ReturnState, lines: { sku: string; quantity: number }[]) {
  const { order } = sales
  let priced
  try {
    priced = await activities.priceOrder({ orderId: order.orderId, lines, currency: order.totals.currency })
  } catch (error) {
    if (businessRefusalOf(error)) throw refuseUpdate('exchange_not_allowed', 'a replacement is not sold in this currency')
    throw error
  }
  const price = new Map(order.lines.map((line) => [line.sku, line.unitPrice]))
  const returned = ret.lines.reduce((sum, line) => sum + line.quantity * (price.get(line.sku) ?? 0), 0)
  const difference = priced.totals.subtotal - returned
  if (difference > EXCHANGE_TOP_UP_CAP)
    throw refuseUpdate('exchange_not_allowed', `the replacement costs ${difference} more than the items returned`)
  return { stockKey: uuid4(), lines: priced.lines, difference, parcel: null }
}

/** Approved: a return label from the carrier, and the deadline to hand the parcel over. */
export async function approve(sales: AfterSalesRecord, ret: ReturnState, decision: ReturnDecision): Promise<ReturnState> {
  if (ret.status !== 'REQUESTED') throw refuseUpdate('not_requested')
  const label = await activities.createReturnLabel.executeWithOptions({ summary: `Return label for ${ret.id.slice(0, 8)}` }, [
    { orderId: sales.order.orderId, returnId: ret.id, address: sales.order.shippingAddress, lines: ret.lines },
  ])
  ret.status = 'APPROVED'
  ret.label = { carrier: label.carrier, trackingNumber: label.trackingNumber }
  ret.shipBy = new Date(Date.now() + sales.returnShipDeadlineMs).toISOString()
  sales.note(ret, decision.actor, 'return_approved', `Return approved: send it with ${label.carrier} ${label.trackingNumber}`, {
    carrier: label.carrier,
    trackingNumber: label.trackingNumber,
    shipBy: ret.shipBy,
    ...(decision.note ? { note: decision.note } : {}),
  })
  sales.tell({ kind: 'return_approved', occurrence: occurrenceOf(sales, ret), data: { returnId: ret.id, ...ret.label } })
  sales.count(ret, 'approved')
  await sales.save(`Record return ${ret.id.slice(0, 8)} APPROVED`)
  return ret
}

export async function reject(sales: AfterSalesRecord, ret: ReturnState, decision: ReturnDecision): Promise<ReturnState> {
  if (ret.status !== 'REQUESTED') throw refuseUpdate('not_requested')
  ret.status = 'REJECTED'
  // The admin's note stays in the data (staff see it; the customer's timeline shows the message alone).
  sales.note(ret, decision.actor, 'return_rejected', 'Return rejected', { note: decision.note })
  sales.tell({ kind: 'return_rejected', occurrence: occurrenceOf(sales, ret), data: { returnId: ret.id, note: decision.note } })
  sales.count(ret, 'rejected')
  await sales.save(`Record return ${ret.id.slice(0, 8)} REJECTED`)
  return ret
}

/** The carrier's news of a return parcel: on its way once picked up; repeats and late news change nothing. */
export async function followReturnParcel(sales: AfterSalesRecord, event: CarrierEvent): Promise<void> {
  const ret = sales.state.returns.find((one) => one.label?.trackingNumber === event.trackingNumber)
  if (!ret || ret.timeline.some((entry) => entry.data?.['eventId'] === event.eventId)) return
  if (ret.status !== 'APPROVED' && ret.status !== 'IN_TRANSIT') return
  const moving = event.status !== 'LABEL_CREATED'
  if (moving) ret.status = 'IN_TRANSIT'
  const carrier = { type: 'carrier' as const, id: ret.label?.carrier ?? null }
  sales.note(ret, carrier, 'return_carrier_event', `Return parcel: ${event.status}`, {
    eventId: event.eventId,
    status: event.status,
    occurredAt: event.occurredAt,
  })
  await sales.save(`Record return ${ret.id.slice(0, 8)} ${ret.status} (carrier: ${event.status})`)
}

/** An approved return nobody shipped by its deadline closes by itself. */
export async function expire(sales: AfterSalesRecord, ret: ReturnState): Promise<void> {
  ret.status = 'CLOSED'
  sales.note(ret, SYSTEM, 'return_closed', 'Return closed: the parcel was not sent in time', { shipBy: ret.shipBy })
  sales.tell({ kind: 'return_closed', occurrence: occurrenceOf(sales, ret), data: { returnId: ret.id, why: 'not_shipped' } })
  sales.count(ret, 'expired')
  await sales.save(`Record return ${ret.id.slice(0, 8)} CLOSED (not shipped in time)`)
}

/**
 * What arrived: resellable units back on the shelf, the rest written off; then
 * the money back (or owed, cash on delivery), or the exchange shipped.
 */
export async function receive(sales: AfterSalesRecord, ret: ReturnState, receipt: ReturnReceipt): Promise<ReturnState> {
  if (ret.status !== 'APPROVED' && ret.status !== 'IN_TRANSIT') throw refuseUpdate('not_receivable')
  const lines = receipt.lines.map(({ sku, quantity, resellable }) => ({ sku, quantity, resellable }))
  const stock = await activities.restockReturnedLines.executeWithOptions({ summary: `Restock return ${ret.id.slice(0, 8)}` }, [
    { orderId: sales.order.orderId, returnId: ret.id, lines },
  ])
  ret.status = 'RECEIVED'
  ret.received = lines
  ret.restocked = stock.restocked
  ret.writtenOff = stock.writtenOff
  sales.writtenOff(stock.writtenOff)
  sales.note(
    ret,
    receipt.actor,
    'return_received',
    `Return received: ${stock.restocked} back in stock, ${stock.writtenOff} written off`,
    { received: lines, restocked: stock.restocked, writtenOff: stock.writtenOff },
  )
  sales.tell({ kind: 'return_received', occurrence: occurrenceOf(sales, ret), data: { returnId: ret.id } })
  await sales.save(`Record return ${ret.id.slice(0, 8)} RECEIVED`)
  if (ret.exchange && (await shipExchange(sales, ret, receipt))) return ret
  await giveMoneyBack(sales, ret, receipt)
  return ret
}

/** The received lines' price (and the shipping, by the policy) back: refunded, or owed for cash on delivery. */
async function giveMoneyBack(sales: AfterSalesRecord, ret: ReturnState, receipt: ReturnReceipt): Promise<void> {
  const due = refundOfReceipt(sales.order, sales.state, ret)
  const cod = sales.order.payment.method === 'cod'
  const amount = cod ? due.lines + due.shipping : Math.min(due.lines + due.shipping, sales.state.refundable)
  const shipping = Math.min(due.shipping, amount)
  ret.refund = { amount, currency: sales.state.currency, shipping }
  if (amount === 0) {
    ret.status = 'CLOSED'
    sales.note(ret, SYSTEM, 'return_closed', 'Return closed: nothing left to refund')
  } else if (cod) {
    owe(sales, ret, amount)
  } else if (await refundedOrRefused(sales, ret, () => refund(sales, { amount, by: receipt.actor, reason: 'return', ret }))) {
    ret.status = 'REFUNDED'
  }
  sales.count(ret, cod ? 'refund_owed' : ret.status === 'REFUNDED' ? 'refunded' : 'refund_refused')
  await sales.save(`Record return ${ret.id.slice(0, 8)} ${ret.status} (${amount} ${sales.state.currency})`)
}

/**
 * The replacement ships as a parcel of its own (its stock reserved and taken
 * under the exchange's key), and the price difference comes back; out of
 * stock, the return is refunded instead. False when it could not ship.
 */
async function shipExchange(sales: AfterSalesRecord, ret: ReturnState, receipt: ReturnReceipt): Promise<boolean> {
  const exchange = ret.exchange!
  const lines = exchange.lines.map(({ sku, quantity }) => ({ sku, quantity }))
  try {
    await activities.reserveStock({ orderId: exchange.stockKey, lines })
  } catch (error) {
    if (!businessRefusalOf(error)) throw error
    sales.note(ret, SYSTEM, 'exchange_out_of_stock', 'The replacement is out of stock: the return is refunded instead')
    return false
  }
  await activities.commitStock({ orderId: exchange.stockKey })
  const label = await activities.createShipment.executeWithOptions({ summary: `Ship the exchange of ${ret.id.slice(0, 8)}` }, [
    { orderId: exchange.stockKey, address: sales.order.shippingAddress, lines },
  ])
  exchange.parcel = { carrier: label.carrier, trackingNumber: label.trackingNumber }
  sales.note(ret, SYSTEM, 'exchange_shipped', `Replacement shipped with ${label.carrier} ${label.trackingNumber}`, {
    lines: exchange.lines,
    ...exchange.parcel,
  })
  sales.tell({ kind: 'exchange_shipped', occurrence: occurrenceOf(sales, ret), data: { returnId: ret.id, ...exchange.parcel } })
  const back = Math.min(-exchange.difference, sales.order.payment.method === 'cod' ? Infinity : sales.state.refundable)
  ret.refund = { amount: Math.max(back, 0), currency: sales.state.currency, shipping: 0 }
  if (back > 0 && sales.order.payment.method === 'cod') owe(sales, ret, back)
  else if (back > 0)
    await refundedOrRefused(sales, ret, () =>
      refund(sales, { amount: back, by: receipt.actor, reason: 'exchange_difference', ret }),
    )
  ret.status = back > 0 && sales.order.payment.method === 'cod' ? 'RECEIVED' : 'CLOSED'
  sales.count(ret, 'exchanged')
  await sales.save(`Record return ${ret.id.slice(0, 8)} ${ret.status} (exchange shipped)`)
  return true
}

/**
 * Runs a return's refund; one the provider refuses for good (noted as
 * `refund_failed` already) closes the return without it, so nothing waits
 * forever: staff decide, and may make a goodwill refund. False when refused.
 */
async function refundedOrRefused(sales: AfterSalesRecord, ret: ReturnState, made: () => Promise<unknown>): Promise<boolean> {
  try {
    await made()
    return true
  } catch (error) {
    if (!(error instanceof ApplicationFailure) || error.type !== UPDATE_REFUSED) throw error
    ret.status = 'CLOSED'
    ret.refund = null
    sales.note(ret, SYSTEM, 'return_closed', 'Return closed without its refund: the payment provider refused it; staff will look')
    return false
  }
}

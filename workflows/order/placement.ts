/**
 * The order placed: noted, priced again against the catalog (a price that
 * changed since the quote cancels it), and its stock reserved, with the
 * reservation's undo.
 */
import type { FulfilmentParcel } from '../../domain/fulfilment.js'
import { sameTotals } from '../../domain/order-pricing.js'
import { stepSummaries } from '../../domain/order-summaries.js'
import { activities } from './activity-proxies.js'
import { OrderCancellation } from './cancellation.js'
import type { OrderRun } from './order-run.js'
import { SYSTEM } from './order-record.js'

/** Notes the placement and checks the quote still holds. */
export async function checkPriceStillHolds({ input, order }: OrderRun): Promise<void> {
  order.note({ type: 'customer', id: input.customerId }, 'order_placed', 'Order placed', {
    total: order.state.totals.total,
    currency: order.state.totals.currency,
  })
  order.describe('reserving stock')
  const priced = await activities.priceOrder.executeWithOptions(
    { summary: stepSummaries.priceOrder(input.lines, input.currency) },
    [{ orderId: input.orderId, lines: input.lines, currency: input.currency }],
  )
  if (!sameTotals(priced.totals, input.quote.totals)) {
    throw new OrderCancellation('price_changed', SYSTEM, 'The catalog price changed after the order was quoted')
  }
}

/**
 * Reserves every line's stock; its undo releases it. The customer is told the order is placed. An order in parcels
 * asks for stock near its address and gets the fulfilment plan (none from a worker before stock locations).
 */
export async function reserveStock({ input, order, undo, parcels }: OrderRun): Promise<FulfilmentParcel[] | undefined> {
  const lines = order.state.lines
  const nearTo = parcels ? { shipToCountry: input.shippingAddress.country } : {}
  const reserved: { plan?: FulfilmentParcel[] } = await activities.reserveStock.executeWithOptions(
    { summary: stepSummaries.reserveStock(lines) },
    [{ orderId: input.orderId, lines, ...nearTo }],
  )
  undo.add(async () => {
    await activities.releaseStock.executeWithOptions({ summary: stepSummaries.releaseStock(lines) }, [{ orderId: input.orderId }])
    order.note(SYSTEM, 'stock_released', 'Reserved stock released')
  })
  order.note(SYSTEM, 'stock_reserved', 'Stock reserved for every line', parcels ? { plan: reserved.plan ?? null } : null)
  await order.save({ kind: 'placed' })
  return reserved.plan
}

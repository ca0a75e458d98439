/**
 * The order placed: noted, priced again against the catalog (a price that
 * changed since the quote cancels it), and its stock reserved, with the
 * reservation's undo.
 */
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

/** Reserves every line's stock; its undo releases it. The customer is told the order is placed. */
export async function reserveStock({ input, order, undo }: OrderRun): Promise<void> {
  const lines = order.state.lines
  await activities.reserveStock.executeWithOptions({ summary: stepSummaries.reserveStock(lines) }, [
    { orderId: input.orderId, lines },
  ])
  undo.add(async () => {
    await activities.releaseStock.executeWithOptions({ summary: stepSummaries.releaseStock(lines) }, [{ orderId: input.orderId }])
    order.note(SYSTEM, 'stock_released', 'Reserved stock released')
  })
  order.note(SYSTEM, 'stock_reserved', 'Stock reserved for every line')
  await order.save({ kind: 'placed' })
}

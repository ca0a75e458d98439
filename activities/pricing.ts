import type { Kysely } from 'kysely'
import { findCatalogPrices, findShippingRate } from '../db/catalog.js'
import type { Database } from '../db/schema.js'
import { priceLines } from '../domain/order-pricing.js'
import type { OrderLineRequest, OrderTotals, PricedLine } from '../domain/order-types.js'
import { businessRefusal } from './business-refusal.js'

export interface PricingDeps {
  db: Kysely<Database>
}

export function createPricingActivities({ db }: PricingDeps) {
  return {
    /** Prices the order from the catalog as it is now; an SKU gone from sale is a refusal. */
    async priceOrder(input: {
      orderId: string
      lines: OrderLineRequest[]
      currency: string
    }): Promise<{ lines: PricedLine[]; totals: OrderTotals }> {
      const [prices, rate] = await Promise.all([
        findCatalogPrices(
          db,
          input.lines.map((line) => line.sku),
          input.currency,
        ),
        findShippingRate(db, input.currency),
      ])
      const result = priceLines(input.lines, input.currency, prices, rate)
      if (!result.ok) throw businessRefusal('PricingFailed', 'The order can no longer be priced', result.problems)
      return { lines: result.lines, totals: result.totals }
    },
  }
}

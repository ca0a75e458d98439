import type { OrderLineRequest, OrderTotals, PricedLine } from './order-types.js'

/** A product's price in one currency, as the catalog holds it. */
export interface CatalogPrice {
  sku: string
  name: string
  currency: string
  unitPrice: number
  active: boolean
}

/** A flat shipping fee per currency, waived from an order subtotal upwards. */
export interface ShippingRate {
  currency: string
  flatFee: number
  freeFrom: number | null
}

/** Why a set of lines cannot be priced; the API answers these with 422. */
export type PricingProblem =
  | { kind: 'unknown_sku'; sku: string; index: number }
  | { kind: 'unavailable_sku'; sku: string; index: number }
  | { kind: 'currency_not_sold'; currency: string }

export type PricingResult = { ok: true; lines: PricedLine[]; totals: OrderTotals } | { ok: false; problems: PricingProblem[] }

/**
 * Prices order lines from the catalog, in integer minor units.
 *
 * The same SKU on two lines is merged into one line, so stock and prices are
 * counted once per SKU. Prices never come from the client.
 *
 * @example
 * ```ts
 * priceLines([{ sku: 'MUG', quantity: 2 }], 'USD', prices, rate)
 * // { ok: true, totals: { currency: 'USD', subtotal: 2400, shipping: 599, total: 2999 }, ... }
 * ```
 */
export function priceLines(
  requested: readonly OrderLineRequest[],
  currency: string,
  prices: readonly CatalogPrice[],
  shippingRate: ShippingRate | null,
): PricingResult {
  if (!shippingRate || shippingRate.currency !== currency) {
    return { ok: false, problems: [{ kind: 'currency_not_sold', currency }] }
  }
  const bySku = new Map(prices.filter((price) => price.currency === currency).map((price) => [price.sku, price]))
  const problems: PricingProblem[] = []
  const merged = new Map<string, PricedLine>()
  requested.forEach((line, index) => {
    const price = bySku.get(line.sku)
    if (!price) return void problems.push({ kind: 'unknown_sku', sku: line.sku, index })
    if (!price.active) return void problems.push({ kind: 'unavailable_sku', sku: line.sku, index })
    const existing = merged.get(line.sku)
    const quantity = (existing?.quantity ?? 0) + line.quantity
    merged.set(line.sku, {
      sku: line.sku,
      name: price.name,
      quantity,
      unitPrice: price.unitPrice,
      lineTotal: price.unitPrice * quantity,
    })
  })
  if (problems.length > 0) return { ok: false, problems }

  const lines = [...merged.values()]
  const subtotal = lines.reduce((sum, line) => sum + line.lineTotal, 0)
  const shipping = shippingRate.freeFrom !== null && subtotal >= shippingRate.freeFrom ? 0 : shippingRate.flatFee
  for (const amount of [subtotal, shipping, subtotal + shipping]) {
    if (!Number.isSafeInteger(amount)) throw new RangeError(`order total ${amount} is not a safe integer`)
  }
  return { ok: true, lines, totals: { currency, subtotal, shipping, total: subtotal + shipping } }
}

/** True when two price lists charge the same for the same lines. */
export function sameTotals(a: OrderTotals, b: OrderTotals): boolean {
  return a.currency === b.currency && a.subtotal === b.subtotal && a.shipping === b.shipping && a.total === b.total
}

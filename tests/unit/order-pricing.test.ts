import { describe, expect, it } from 'vitest'
import { type CatalogPrice, priceLines } from '../../domain/order-pricing.js'

const prices: CatalogPrice[] = [
  { sku: 'MUG', name: 'Mug', currency: 'USD', unitPrice: 1_200, active: true },
  { sku: 'TEE', name: 'Tee', currency: 'USD', unitPrice: 2_500, active: true },
  { sku: 'OLD', name: 'Retired', currency: 'USD', unitPrice: 100, active: false },
  { sku: 'MUG', name: 'Mug', currency: 'EUR', unitPrice: 1_100, active: true },
]
const usd = { currency: 'USD', flatFee: 599, freeFrom: 10_000 }

describe('pricing an order from the catalog', () => {
  it('totals lines in minor units and adds the flat shipping fee', () => {
    expect(
      priceLines(
        [
          { sku: 'MUG', quantity: 2 },
          { sku: 'TEE', quantity: 1 },
        ],
        'USD',
        prices,
        usd,
      ),
    ).toEqual({
      ok: true,
      lines: [
        { sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 1_200, lineTotal: 2_400 },
        { sku: 'TEE', name: 'Tee', quantity: 1, unitPrice: 2_500, lineTotal: 2_500 },
      ],
      totals: { currency: 'USD', subtotal: 4_900, shipping: 599, total: 5_499 },
    })
  })

  it('ships free from the threshold upwards, and not one minor unit below it', () => {
    const at = priceLines([{ sku: 'TEE', quantity: 4 }], 'USD', prices, usd)
    const below = priceLines([{ sku: 'TEE', quantity: 4 }], 'USD', prices, { ...usd, freeFrom: 10_001 })
    expect(at.ok && at.totals).toEqual({ currency: 'USD', subtotal: 10_000, shipping: 0, total: 10_000 })
    expect(below.ok && below.totals.shipping).toBe(599)
  })

  it('merges repeated SKUs into one line', () => {
    const result = priceLines(
      [
        { sku: 'MUG', quantity: 1 },
        { sku: 'MUG', quantity: 2 },
      ],
      'USD',
      prices,
      usd,
    )
    expect(result.ok && result.lines).toEqual([{ sku: 'MUG', name: 'Mug', quantity: 3, unitPrice: 1_200, lineTotal: 3_600 }])
  })

  it('uses the price in the order currency only', () => {
    const result = priceLines([{ sku: 'MUG', quantity: 1 }], 'EUR', prices, { currency: 'EUR', flatFee: 499, freeFrom: null })
    expect(result.ok && result.totals).toEqual({ currency: 'EUR', subtotal: 1_100, shipping: 499, total: 1_599 })
    expect(priceLines([{ sku: 'TEE', quantity: 1 }], 'EUR', prices, { currency: 'EUR', flatFee: 499, freeFrom: null })).toEqual({
      ok: false,
      problems: [{ kind: 'unknown_sku', sku: 'TEE', index: 0 }],
    })
  })

  it('names every line it cannot price, and a currency the store does not sell in', () => {
    expect(
      priceLines(
        [
          { sku: 'NOPE', quantity: 1 },
          { sku: 'MUG', quantity: 1 },
          { sku: 'OLD', quantity: 1 },
        ],
        'USD',
        prices,
        usd,
      ),
    ).toEqual({
      ok: false,
      problems: [
        { kind: 'unknown_sku', sku: 'NOPE', index: 0 },
        { kind: 'unavailable_sku', sku: 'OLD', index: 2 },
      ],
    })
    expect(priceLines([{ sku: 'MUG', quantity: 1 }], 'JPY', prices, null)).toEqual({
      ok: false,
      problems: [{ kind: 'currency_not_sold', currency: 'JPY' }],
    })
  })

  it('refuses a total beyond safe integers rather than rounding money', () => {
    const huge = [{ sku: 'BIG', name: 'Big', currency: 'USD', unitPrice: Number.MAX_SAFE_INTEGER, active: true }]
    expect(() => priceLines([{ sku: 'BIG', quantity: 2 }], 'USD', huge, usd)).toThrow(RangeError)
  })
})

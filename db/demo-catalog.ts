import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

/** A few products to try the engine with. SNEAKER-LTD-42 has only 2 units, so overselling can be tried. */
export const demoProducts = [
  { sku: 'TSHIRT-BLK-M', name: 'Black T-shirt (M)', prices: { USD: 2500, EUR: 2300 }, onHand: 100 },
  { sku: 'MUG-CLASSIC', name: 'Classic mug', prices: { USD: 1200, EUR: 1100 }, onHand: 50 },
  { sku: 'HOODIE-GRY-L', name: 'Grey hoodie (L)', prices: { USD: 5900, EUR: 5400 }, onHand: 25 },
  { sku: 'SNEAKER-LTD-42', name: 'Limited sneaker (EU 42)', prices: { USD: 18000, EUR: 16500 }, onHand: 2 },
] as const

export const demoShippingRates = [
  { currency: 'USD', flat_amount: 599, free_from_amount: 10_000 },
  { currency: 'EUR', flat_amount: 499, free_from_amount: 9_000 },
]

/**
 * Fills an empty catalog with the demo products. Does nothing when the
 * catalog already has a product, so it is safe on every start.
 *
 * @returns true when it seeded
 */
export async function seedDemoCatalog(db: Kysely<Database>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('products').select('sku').limit(1).executeTakeFirst()
    if (existing) return false
    await trx
      .insertInto('shipping_rates')
      .values(demoShippingRates)
      .onConflict((oc) => oc.doNothing())
      .execute()
    for (const product of demoProducts) {
      await trx.insertInto('products').values({ sku: product.sku, name: product.name }).execute()
      await trx
        .insertInto('product_prices')
        .values(Object.entries(product.prices).map(([currency, unit_amount]) => ({ sku: product.sku, currency, unit_amount })))
        .execute()
      await trx.insertInto('stock_levels').values({ sku: product.sku, on_hand: product.onHand }).execute()
    }
    return true
  })
}

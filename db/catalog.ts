import type { Kysely } from 'kysely'
import type { CatalogPrice, ShippingRate } from '../domain/order-pricing.js'
import type { Database } from './schema.js'

/** Prices of the given SKUs in one currency, one indexed query. */
export async function findCatalogPrices(
  db: Kysely<Database>,
  skus: readonly string[],
  currency: string,
): Promise<CatalogPrice[]> {
  if (skus.length === 0) return []
  const rows = await db
    .selectFrom('products')
    .innerJoin('product_prices', 'product_prices.sku', 'products.sku')
    .select(['products.sku', 'products.name', 'products.active', 'product_prices.currency', 'product_prices.unit_amount'])
    .where('products.sku', 'in', [...new Set(skus)])
    .where('product_prices.currency', '=', currency)
    .execute()
  return rows.map((row) => ({
    sku: row.sku,
    name: row.name,
    active: row.active,
    currency: row.currency,
    unitPrice: row.unit_amount,
  }))
}

export async function findShippingRate(db: Kysely<Database>, currency: string): Promise<ShippingRate | null> {
  const row = await db.selectFrom('shipping_rates').selectAll().where('currency', '=', currency).executeTakeFirst()
  return row ? { currency: row.currency, flatFee: row.flat_amount, freeFrom: row.free_from_amount } : null
}

/** A product as `GET /v1/products` shows it. */
export interface ProductListing {
  sku: string
  name: string
  description: string
  prices: Array<{ currency: string; unitPrice: number }>
  available: number
}

/** The active catalog with prices and the stock not yet reserved. */
export async function listProducts(db: Kysely<Database>): Promise<ProductListing[]> {
  const rows = await db
    .selectFrom('products')
    .leftJoin('stock_levels', 'stock_levels.sku', 'products.sku')
    .leftJoin('product_prices', 'product_prices.sku', 'products.sku')
    .select([
      'products.sku',
      'products.name',
      'products.description',
      'stock_levels.on_hand',
      'stock_levels.reserved',
      'product_prices.currency',
      'product_prices.unit_amount',
    ])
    .where('products.active', '=', true)
    .orderBy('products.sku')
    .orderBy('product_prices.currency')
    .execute()
  const bySku = new Map<string, ProductListing>()
  for (const row of rows) {
    const product = bySku.get(row.sku) ?? {
      sku: row.sku,
      name: row.name,
      description: row.description,
      prices: [],
      available: Math.max(0, (row.on_hand ?? 0) - (row.reserved ?? 0)),
    }
    if (row.currency !== null && row.unit_amount !== null) {
      product.prices.push({ currency: row.currency, unitPrice: row.unit_amount })
    }
    bySku.set(row.sku, product)
  }
  return [...bySku.values()]
}

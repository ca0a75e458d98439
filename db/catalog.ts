import type { Kysely } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import type { CatalogPrice, ShippingRate } from '../domain/order-pricing.js'
import type { Database } from './schema.js'
import { availableByLocation } from './stock-levels.js'

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

/**
 * What pricing an order reads from the catalog, in one round trip: the
 * prices of its SKUs in the currency ({@link findCatalogPrices}) and the
 * currency's shipping rate ({@link findShippingRate}), or null.
 */
export async function findCatalogQuote(
  db: Kysely<Database>,
  skus: readonly string[],
  currency: string,
): Promise<{ prices: CatalogPrice[]; rate: ShippingRate | null }> {
  const distinct = [...new Set(skus)]
  const row = await db
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('products')
          .innerJoin('product_prices', 'product_prices.sku', 'products.sku')
          .select([
            'products.sku',
            'products.name',
            'products.active',
            'product_prices.currency',
            'product_prices.unit_amount as unitPrice',
          ])
          // `in ()` is no SQL: with no SKU the list holds one that names no product.
          .where('products.sku', 'in', distinct.length > 0 ? distinct : [''])
          .where('product_prices.currency', '=', currency),
      ).as('prices'),
      jsonObjectFrom(
        eb
          .selectFrom('shipping_rates')
          .select(['currency', 'flat_amount as flatFee', 'free_from_amount as freeFrom'])
          .where('currency', '=', currency),
      ).as('rate'),
    ])
    .executeTakeFirstOrThrow()
  return { prices: distinct.length > 0 ? row.prices : [], rate: row.rate }
}

/** A product's stock at one location, as admins see it in the catalog. */
export interface LocationAvailability {
  locationId: string
  available: number
}

/** A product as `GET /v1/products` shows it. */
export interface ProductListing {
  sku: string
  name: string
  description: string
  prices: Array<{ currency: string; unitPrice: number }>
  /** Units not yet reserved, summed over every location. */
  available: number
  /** Per location (admins only): present when asked for. */
  locations?: LocationAvailability[]
}

/**
 * The active catalog with prices and the stock not yet reserved (summed over
 * every location); with `perLocation`, each product's stock at each location too.
 */
export async function listProducts(db: Kysely<Database>, options: { perLocation?: boolean } = {}): Promise<ProductListing[]> {
  const [rows, stock] = await Promise.all([
    db
      .selectFrom('products')
      .leftJoin('product_prices', 'product_prices.sku', 'products.sku')
      .select(['products.sku', 'products.name', 'products.description', 'product_prices.currency', 'product_prices.unit_amount'])
      .where('products.active', '=', true)
      .orderBy('products.sku')
      .orderBy('product_prices.currency')
      .execute(),
    availableByLocation(db),
  ])
  const bySku = new Map<string, ProductListing>()
  for (const row of rows) {
    let product = bySku.get(row.sku)
    if (!product) {
      const levels = stock.get(row.sku) ?? []
      product = {
        sku: row.sku,
        name: row.name,
        description: row.description,
        prices: [],
        available: levels.reduce((sum, level) => sum + level.available, 0),
        ...(options.perLocation
          ? { locations: levels.map((level) => ({ locationId: level.locationId, available: level.available })) }
          : {}),
      }
      bySku.set(row.sku, product)
    }
    if (row.currency !== null && row.unit_amount !== null) {
      product.prices.push({ currency: row.currency, unitPrice: row.unit_amount })
    }
  }
  return [...bySku.values()]
}

import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import { availableByLocation } from './stock-levels.js'

/** A product as admins see it: its catalog entry, prices in minor units and stock. */
export interface AdminProductRecord {
  sku: string
  name: string
  description: string
  active: boolean
  prices: Array<{ currency: string; unitPrice: number }>
  /** Summed over every location. */
  onHand: number
  reserved: number
  available: number
  /** The stock at each location holding a row for the product. */
  locations: Array<{ locationId: string; onHand: number; reserved: number; available: number }>
  updatedAt: string
}

/**
 * A product as admins see it, or null when there is none. With `forUpdate`
 * the product and its stock rows stay locked until the transaction ends.
 */
export async function findAdminProduct(
  db: Kysely<Database>,
  sku: string,
  options: { forUpdate?: boolean } = {},
): Promise<AdminProductRecord | null> {
  let productQuery = db.selectFrom('products').selectAll().where('sku', '=', sku)
  if (options.forUpdate) productQuery = productQuery.forUpdate()
  const product = await productQuery.executeTakeFirst()
  if (!product) return null
  const [prices, stock] = await Promise.all([
    db.selectFrom('product_prices').select(['currency', 'unit_amount']).where('sku', '=', sku).orderBy('currency').execute(),
    availableByLocation(db, [sku]),
  ])
  const locations = stock.get(sku) ?? []
  const onHand = locations.reduce((sum, level) => sum + level.onHand, 0)
  const reserved = locations.reduce((sum, level) => sum + level.reserved, 0)
  return {
    sku: product.sku,
    name: product.name,
    description: product.description,
    active: product.active,
    prices: prices.map((price) => ({ currency: price.currency, unitPrice: price.unit_amount })),
    onHand,
    reserved,
    available: Math.max(0, onHand - reserved),
    locations,
    updatedAt: product.updated_at.toISOString(),
  }
}

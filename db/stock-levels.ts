/** A product's stock rows, one per location: what is on hand and what open orders have reserved. */
import { type Kysely, sql } from 'kysely'
import { DEFAULT_STOCK_LOCATION } from '../domain/fulfilment.js'
import type { Database } from './schema.js'

/** The largest on-hand count the stock table holds (Postgres integer). */
export const MAX_ON_HAND = 2_147_483_647

/** Gives a product a stock row (none on hand) at a location (the default one when omitted) unless it has one. */
export async function ensureStockLevel(
  trx: Kysely<Database>,
  sku: string,
  locationId: string = DEFAULT_STOCK_LOCATION,
): Promise<void> {
  await trx
    .insertInto('stock_levels')
    .values({ sku, location_id: locationId, on_hand: 0 })
    .onConflict((oc) => oc.columns(['sku', 'location_id']).doNothing())
    .execute()
}

/**
 * The product's stock at a location, locked until the transaction ends, so
 * concurrent adjustments queue; undefined when the product has no stock row there.
 */
export async function lockStockLevel(trx: Kysely<Database>, sku: string, locationId: string = DEFAULT_STOCK_LOCATION) {
  return trx
    .selectFrom('stock_levels')
    .select(['on_hand', 'reserved'])
    .where('sku', '=', sku)
    .where('location_id', '=', locationId)
    .forUpdate()
    .executeTakeFirst()
}

/** Sets the stock on hand at a location. */
export async function setStockOnHand(
  trx: Kysely<Database>,
  sku: string,
  onHand: number,
  locationId: string = DEFAULT_STOCK_LOCATION,
): Promise<void> {
  await trx
    .updateTable('stock_levels')
    .set({ on_hand: onHand, updated_at: sql`now()` })
    .where('sku', '=', sku)
    .where('location_id', '=', locationId)
    .execute()
}

/** What is available (on hand, not reserved) of each product at each location holding a row for it. */
export async function availableByLocation(
  db: Kysely<Database>,
  skus?: readonly string[],
): Promise<Map<string, Array<{ locationId: string; onHand: number; reserved: number; available: number }>>> {
  let query = db
    .selectFrom('stock_levels')
    .select(['sku', 'location_id', 'on_hand', 'reserved'])
    .orderBy('sku')
    .orderBy('location_id')
  if (skus) {
    if (skus.length === 0) return new Map()
    query = query.where('sku', 'in', [...skus])
  }
  const bySku = new Map<string, Array<{ locationId: string; onHand: number; reserved: number; available: number }>>()
  for (const row of await query.execute()) {
    const list = bySku.get(row.sku) ?? []
    list.push({
      locationId: row.location_id,
      onHand: row.on_hand,
      reserved: row.reserved,
      available: Math.max(0, row.on_hand - row.reserved),
    })
    bySku.set(row.sku, list)
  }
  return bySku
}

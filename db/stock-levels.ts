/** A product's stock row: what is on hand and what open orders have reserved. */
import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

/** The largest on-hand count the stock table holds (Postgres integer). */
export const MAX_ON_HAND = 2_147_483_647

/** Gives a product a stock row (none on hand) unless it has one. */
export async function ensureStockLevel(trx: Kysely<Database>, sku: string): Promise<void> {
  await trx
    .insertInto('stock_levels')
    .values({ sku, on_hand: 0 })
    .onConflict((oc) => oc.column('sku').doNothing())
    .execute()
}

/**
 * The product's stock, locked until the transaction ends, so concurrent
 * adjustments queue; undefined when there is no such product.
 */
export async function lockStockLevel(trx: Kysely<Database>, sku: string) {
  return trx.selectFrom('stock_levels').select(['on_hand', 'reserved']).where('sku', '=', sku).forUpdate().executeTakeFirst()
}

/** Sets the stock on hand. */
export async function setStockOnHand(trx: Kysely<Database>, sku: string, onHand: number): Promise<void> {
  await trx
    .updateTable('stock_levels')
    .set({ on_hand: onHand, updated_at: sql`now()` })
    .where('sku', '=', sku)
    .execute()
}

/** Writes to a product's catalog entry and prices, for catalog administration (call them in one transaction). */
import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

export interface ProductEntry {
  sku: string
  name: string
  description: string
  active: boolean
}

/** Inserts the product unless its SKU exists; true when it was created. */
export async function insertProductIfNew(trx: Kysely<Database>, product: ProductEntry): Promise<boolean> {
  const inserted = await trx
    .insertInto('products')
    .values(product)
    .onConflict((oc) => oc.column('sku').doNothing())
    .returning('sku')
    .executeTakeFirst()
  return inserted !== undefined
}

/** Replaces the product's name, description and active flag. */
export async function updateProductEntry(trx: Kysely<Database>, product: ProductEntry): Promise<void> {
  await trx
    .updateTable('products')
    .set({ name: product.name, description: product.description, active: product.active, updated_at: sql`now()` })
    .where('sku', '=', product.sku)
    .execute()
}

/** Sets the product's prices to exactly these: a currency left out is no longer sold. */
export async function replaceProductPrices(
  trx: Kysely<Database>,
  sku: string,
  prices: ReadonlyArray<{ currency: string; unitPrice: number }>,
): Promise<void> {
  await trx
    .deleteFrom('product_prices')
    .where('sku', '=', sku)
    .where(
      'currency',
      'not in',
      prices.map((price) => price.currency),
    )
    .execute()
  await trx
    .insertInto('product_prices')
    .values(prices.map((price) => ({ sku, currency: price.currency, unit_amount: price.unitPrice })))
    .onConflict((oc) => oc.columns(['sku', 'currency']).doUpdateSet((eb) => ({ unit_amount: eb.ref('excluded.unit_amount') })))
    .execute()
}

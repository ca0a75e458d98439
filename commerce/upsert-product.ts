import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Principal } from '../auth.js'
import type { AdminProduct, ProductInput } from '../schemas.js'
import { findAdminProduct } from './admin-product.js'
import { recordCatalogChange } from './catalog-audit.js'

export interface UpsertedProduct {
  product: AdminProduct
  created: boolean
}

/** The part of a product a PUT sets, as the audit trail records it. */
function catalogEntry(product: Pick<AdminProduct, 'name' | 'description' | 'active' | 'prices'>) {
  return {
    name: product.name,
    description: product.description,
    active: product.active,
    prices: Object.fromEntries(
      [...product.prices].sort((a, b) => a.currency.localeCompare(b.currency)).map((price) => [price.currency, price.unitPrice]),
    ),
  }
}

/**
 * Creates a product or replaces its name, description, active flag and
 * prices (a currency left out is no longer sold), and records the change in
 * the audit trail, in one transaction. A new product starts with no stock:
 * stock only moves through adjustments. A PUT that changes nothing writes nothing.
 *
 * Prices are read again when each order is placed and re-checked by its
 * workflow, so an order quoted before a price change is cancelled as
 * `price_changed` rather than charged another amount.
 */
export async function upsertProduct(
  db: Kysely<Database>,
  principal: Principal,
  sku: string,
  input: ProductInput,
): Promise<UpsertedProduct> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('products')
      .values({ sku, name: input.name, description: input.description, active: input.active })
      .onConflict((oc) => oc.column('sku').doNothing())
      .returning('sku')
      .executeTakeFirst()
    const created = inserted !== undefined
    // Concurrent PUTs of one SKU queue here, so each audit entry's "before" is exactly what it replaced.
    const before = created ? null : await findAdminProduct(trx, sku, { forUpdate: true })
    const wanted = catalogEntry(input)
    if (before && JSON.stringify(catalogEntry(before)) === JSON.stringify(wanted)) return { product: before, created: false }

    if (!created) {
      await trx
        .updateTable('products')
        .set({ name: input.name, description: input.description, active: input.active, updated_at: sql`now()` })
        .where('sku', '=', sku)
        .execute()
    }
    await trx
      .deleteFrom('product_prices')
      .where('sku', '=', sku)
      .where(
        'currency',
        'not in',
        input.prices.map((price) => price.currency),
      )
      .execute()
    await trx
      .insertInto('product_prices')
      .values(input.prices.map((price) => ({ sku, currency: price.currency, unit_amount: price.unitPrice })))
      .onConflict((oc) => oc.columns(['sku', 'currency']).doUpdateSet((eb) => ({ unit_amount: eb.ref('excluded.unit_amount') })))
      .execute()
    await trx
      .insertInto('stock_levels')
      .values({ sku, on_hand: 0 })
      .onConflict((oc) => oc.column('sku').doNothing())
      .execute()

    const product = await findAdminProduct(trx, sku)
    if (!product) throw new Error(`product ${sku} vanished inside its own transaction`)
    await recordCatalogChange(trx, {
      sku,
      action: created ? 'product_created' : 'product_updated',
      actor: principal,
      reason: null,
      idempotencyKey: null,
      before: before ? catalogEntry(before) : null,
      after: catalogEntry(product),
    })
    return { product, created }
  })
}

import type { Kysely } from '../db/connection.js'
import { type AdminProductRecord, findAdminProduct } from '../db/admin-products.js'
import { recordCatalogChange } from '../db/catalog-audit.js'
import { insertProductIfNew, replaceProductPrices, updateProductEntry } from '../db/products.js'
import type { Database } from '../db/schema.js'
import { ensureStockLevel } from '../db/stock-levels.js'
import { type Caller, callerName } from './caller.js'

/** What a product is set to: its catalog entry and every price it sells at (minor units). */
export interface ProductSettings {
  name: string
  description: string
  active: boolean
  prices: ReadonlyArray<{ currency: string; unitPrice: number }>
}

export interface UpsertedProduct {
  product: AdminProductRecord
  created: boolean
}

/** The part of a product a PUT sets, as the audit trail records it. */
function catalogEntry(product: ProductSettings) {
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
  caller: Caller,
  sku: string,
  input: ProductSettings,
): Promise<UpsertedProduct> {
  return db.transaction().execute(async (trx) => {
    const entry = { sku, name: input.name, description: input.description, active: input.active }
    const created = await insertProductIfNew(trx, entry)
    // Concurrent PUTs of one SKU queue here, so each audit entry's "before" is exactly what it replaced.
    const before = created ? null : await findAdminProduct(trx, sku, { forUpdate: true })
    const wanted = catalogEntry(input)
    if (before && JSON.stringify(catalogEntry(before)) === JSON.stringify(wanted)) return { product: before, created: false }

    if (!created) await updateProductEntry(trx, entry)
    await replaceProductPrices(trx, sku, input.prices)
    await ensureStockLevel(trx, sku)

    const product = await findAdminProduct(trx, sku)
    if (!product) throw new Error(`product ${sku} vanished inside its own transaction`)
    await recordCatalogChange(trx, {
      sku,
      action: created ? 'product_created' : 'product_updated',
      actor: callerName(caller),
      reason: null,
      idempotencyKey: null,
      before: before ? catalogEntry(before) : null,
      after: catalogEntry(product),
    })
    return { product, created }
  })
}

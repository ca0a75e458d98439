import type { Kysely } from '../db/connection.js'
import { findAdminProduct } from '../db/admin-products.js'
import { listCatalogChanges } from '../db/catalog-audit.js'
import type { Database } from '../db/schema.js'
import { ProductNotFound } from './commerce-errors.js'

/**
 * A page of a product's audit trail, newest first; `beforeId` continues
 * after the last entry of a page.
 *
 * @throws ProductNotFound
 */
export async function readCatalogAudit(db: Kysely<Database>, sku: string, options: { limit: number; beforeId: number | null }) {
  if (!(await findAdminProduct(db, sku))) throw new ProductNotFound(sku)
  return listCatalogChanges(db, sku, options)
}

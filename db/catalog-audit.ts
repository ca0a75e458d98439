import type { Kysely } from 'kysely'
import type { CatalogAuditAction, Database } from './schema.js'

export interface CatalogChange {
  sku: string
  action: CatalogAuditAction
  /** Who, as `role:subject`. */
  actor: string
  reason: string | null
  idempotencyKey: string | null
  before: Record<string, unknown> | null
  after: Record<string, unknown>
}

/**
 * Appends one entry to the catalog's audit trail; call it in the transaction
 * that makes the change, so the trail and the catalog never disagree.
 * The table refuses updates and deletes.
 */
export async function recordCatalogChange(trx: Kysely<Database>, change: CatalogChange): Promise<{ id: number; at: Date }> {
  const row = await trx
    .insertInto('catalog_audit')
    .values({
      sku: change.sku,
      action: change.action,
      actor: change.actor,
      reason: change.reason,
      idempotency_key: change.idempotencyKey,
      before: change.before === null ? null : JSON.stringify(change.before),
      after: JSON.stringify(change.after),
    })
    .returning(['id', 'occurred_at'])
    .executeTakeFirstOrThrow()
  return { id: row.id, at: row.occurred_at }
}

/** A page of a product's audit trail, newest first; `beforeId` continues after the last entry of a page. */
export async function listCatalogChanges(db: Kysely<Database>, sku: string, options: { limit: number; beforeId: number | null }) {
  let query = db.selectFrom('catalog_audit').selectAll().where('sku', '=', sku)
  if (options.beforeId !== null) query = query.where('id', '<', options.beforeId)
  const rows = await query
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute()
  const page = rows.slice(0, options.limit)
  return {
    entries: page.map((row) => ({
      id: row.id,
      sku: row.sku,
      action: row.action,
      actor: row.actor,
      reason: row.reason,
      before: row.before,
      after: row.after,
      at: row.occurred_at.toISOString(),
    })),
    nextBeforeId: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null,
  }
}

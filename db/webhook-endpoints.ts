import { type Kysely, type Selectable, sql } from 'kysely'
import type { OrderEventType } from '../domain/order-events.js'
import type { Database, WebhookEndpointsTable } from './schema.js'

/** An endpoint as admins see it: never its secrets. */
export interface WebhookEndpointRecord {
  id: string
  url: string
  description: string
  eventTypes: OrderEventType[]
  status: 'enabled' | 'disabled'
  disabledReason: 'admin' | 'failing' | null
  disabledAt: string | null
  /** Since when every attempt has failed; null when the last one succeeded (or none was made). */
  failingSince: string | null
  /** Until when the secret before the last rotation still signs too. */
  previousSecretExpiresAt: string | null
  createdAt: string
  updatedAt: string
}

function endpointRecord(row: Selectable<WebhookEndpointsTable>): WebhookEndpointRecord {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    status: row.status,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    failingSince: row.failing_since?.toISOString() ?? null,
    previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function insertWebhookEndpoint(
  db: Kysely<Database>,
  endpoint: { url: string; description: string; eventTypes: OrderEventType[]; secret: string; createdBy: string },
): Promise<WebhookEndpointRecord> {
  const row = await db
    .insertInto('webhook_endpoints')
    .values({
      url: endpoint.url,
      description: endpoint.description,
      event_types: endpoint.eventTypes,
      secret: endpoint.secret,
      created_by: endpoint.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return endpointRecord(row)
}

/** The endpoint, or null when there is none with this id. */
export async function findWebhookEndpoint(db: Kysely<Database>, id: string): Promise<WebhookEndpointRecord | null> {
  if (!uuidShape.test(id)) return null
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? endpointRecord(row) : null
}

/** A page of endpoints, newest first; `status` filters. */
export async function listWebhookEndpoints(
  db: Kysely<Database>,
  options: { limit: number; status: 'enabled' | 'disabled' | null; afterId: string | null },
) {
  let query = db.selectFrom('webhook_endpoints').selectAll()
  if (options.status) query = query.where('status', '=', options.status)
  if (options.afterId) {
    // Keyset on (created_at, id), read from the row itself: timestamps keep their microseconds.
    query = query.where(
      sql<boolean>`(created_at, id) < (select e.created_at, e.id from webhook_endpoints e where e.id = ${options.afterId})`,
    )
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute()
  const page = rows.slice(0, options.limit).map(endpointRecord)
  const last = page.at(-1)
  return { endpoints: page, nextAfterId: rows.length > options.limit && last ? last.id : null }
}

/** Changes what an admin may change; null when there is no such endpoint. */
export async function updateWebhookEndpoint(
  db: Kysely<Database>,
  id: string,
  changes: { url?: string; description?: string; eventTypes?: OrderEventType[]; status?: 'enabled' | 'disabled' },
): Promise<WebhookEndpointRecord | null> {
  if (!uuidShape.test(id)) return null
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(changes.url === undefined ? {} : { url: changes.url }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      ...(changes.eventTypes === undefined ? {} : { event_types: changes.eventTypes }),
      ...(changes.status === 'enabled'
        ? { status: 'enabled', disabled_reason: null, disabled_at: null, failing_since: null }
        : {}),
      ...(changes.status === 'disabled' ? { status: 'disabled', disabled_reason: 'admin', disabled_at: new Date() } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
  return row ? endpointRecord(row) : null
}

/** Replaces the secret; the old one keeps signing beside it until `previousValidUntil` (none when null). */
export async function rotateWebhookEndpointSecret(
  db: Kysely<Database>,
  id: string,
  rotation: { secret: string; previousValidUntil: Date | null },
): Promise<WebhookEndpointRecord | null> {
  if (!uuidShape.test(id)) return null
  const row = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({
      previous_secret: rotation.previousValidUntil ? eb.ref('secret') : null,
      previous_secret_expires_at: rotation.previousValidUntil,
      secret: rotation.secret,
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
  return row ? endpointRecord(row) : null
}

/** Deletes the endpoint with its delivery log; false when there was none. */
export async function deleteWebhookEndpoint(db: Kysely<Database>, id: string): Promise<boolean> {
  if (!uuidShape.test(id)) return false
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** What a delivery needs of its endpoint: where, whether it is still enabled, and the secrets that sign now. */
export async function findWebhookEndpointForDelivery(db: Kysely<Database>, id: string, now: Date) {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return null
  const previousSigns =
    row.previous_secret !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now
  return {
    url: row.url,
    enabled: row.status === 'enabled',
    secrets: previousSigns && row.previous_secret ? [row.secret, row.previous_secret] : [row.secret],
  }
}

/** An attempt succeeded: the endpoint is no longer failing. */
export async function markWebhookEndpointHealthy(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('id', '=', id)
    .where('failing_since', 'is not', null)
    .execute()
}

/**
 * An attempt failed: the endpoint is failing since its first failure after
 * its last success; past `disableAfterMs` of that it is disabled
 * (`disabled_reason: 'failing'`). Returns whether this call disabled it, and since when it fails.
 */
export async function markWebhookEndpointFailing(
  db: Kysely<Database>,
  id: string,
  options: { now: Date; disableAfterMs: number },
): Promise<{ disabled: boolean; failingSince: Date | null }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('webhook_endpoints')
      .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', eb.val(options.now)) }))
      .where('id', '=', id)
      .returning(['failing_since', 'status'])
      .executeTakeFirst()
    if (!row?.failing_since) return { disabled: false, failingSince: null }
    if (row.status !== 'enabled' || options.now.getTime() - row.failing_since.getTime() < options.disableAfterMs) {
      return { disabled: false, failingSince: row.failing_since }
    }
    await trx
      .updateTable('webhook_endpoints')
      .set({ status: 'disabled', disabled_reason: 'failing', disabled_at: options.now, updated_at: options.now })
      .where('id', '=', id)
      .execute()
    return { disabled: true, failingSince: row.failing_since }
  })
}

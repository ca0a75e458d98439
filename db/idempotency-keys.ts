/**
 * The `idempotency_keys` table: one row per caller and key, with the
 * request's fingerprint, an in-flight lease (`locked_until`) and, once
 * answered, the answer to replay. The protocol over it is
 * `commerce/idempotency-key.ts`.
 */
import { type Kysely, sql } from 'kysely'
import { type RateLimitHitRow, rateLimitHitStatement } from './rate-limit-counts.js'
import type { Database } from './schema.js'

/** Which key: the caller (`role:subject`) and the key they sent. */
export interface IdempotencyKeyId {
  principal: string
  key: string
}

/**
 * Inserts the key with a lease of `leaseSeconds`, or takes over an
 * unanswered row of the same request whose lease has lapsed. Returns the row
 * when this caller now holds it, undefined when another request does (or
 * answered it, or sent another request under the key).
 */
export async function takeIdempotencyKey(
  db: Kysely<Database>,
  row: IdempotencyKeyId & { fingerprint: string; orderId: string | null; leaseSeconds: number },
) {
  return db
    .insertInto('idempotency_keys')
    .values({
      principal: row.principal,
      key: row.key,
      request_hash: row.fingerprint,
      order_id: row.orderId,
      response_status: null,
      response_body: null,
      locked_until: sql<Date>`now() + make_interval(secs => ${row.leaseSeconds})`,
    })
    .onConflict((oc) =>
      oc
        .columns(['principal', 'key'])
        .doUpdateSet({ locked_until: (eb) => eb.ref('excluded.locked_until') })
        .where('idempotency_keys.response_body', 'is', null)
        .where('idempotency_keys.request_hash', '=', row.fingerprint)
        .where((eb) =>
          eb.or([eb('idempotency_keys.locked_until', 'is', null), eb('idempotency_keys.locked_until', '<', sql<Date>`now()`)]),
        ),
    )
    .returning(['principal', 'key', 'order_id', 'created_at'])
    .executeTakeFirst()
}

/**
 * {@link takeIdempotencyKey} and the rate limit's count of the request
 * (`countRateLimitHit`) in one statement: the request is counted, and the key
 * is claimed only when the count is within `limit`. Returns the count, and
 * the row when this caller now holds it (never over the limit).
 */
export async function takeIdempotencyKeyWithinLimit(
  db: Kysely<Database>,
  row: IdempotencyKeyId & { fingerprint: string; orderId: string | null; leaseSeconds: number },
  hit: RateLimitHitRow & { limit: number },
): Promise<{
  hits: number
  resetInMs: number
  held: { principal: string; key: string; order_id: string | null; created_at: Date } | null
}> {
  const { rows } = await sql<{
    hits: number
    reset_in_ms: number
    principal: string | null
    key: string | null
    order_id: string | null
    created_at: Date | null
  }>`
    with hit as (${rateLimitHitStatement(hit)}),
    claim as (
      insert into idempotency_keys as k (principal, key, request_hash, order_id, locked_until)
      select ${row.principal}, ${row.key}, ${row.fingerprint}, ${row.orderId}::uuid,
        now() + make_interval(secs => ${row.leaseSeconds})
      where (select hits from hit) <= ${hit.limit}
      on conflict (principal, key) do update set locked_until = excluded.locked_until
        where k.response_body is null and k.request_hash = ${row.fingerprint}
          and (k.locked_until is null or k.locked_until < now())
      returning k.principal, k.key, k.order_id, k.created_at
    )
    select hit.hits, hit.reset_in_ms, claim.principal, claim.key, claim.order_id, claim.created_at
    from hit left join claim on true`.execute(db)
  const counted = rows[0]
  if (!counted) throw new Error('the rate limit upsert returned no row')
  const { principal, key, order_id, created_at } = counted
  return {
    hits: Number(counted.hits),
    resetInMs: Math.max(0, Number(counted.reset_in_ms)),
    held: principal !== null && key !== null && created_at !== null ? { principal, key, order_id, created_at } : null,
  }
}

/** The key's fingerprint and answer, if the row exists. With `forUpdate` the row stays locked until the transaction ends. */
export async function findIdempotencyKey(db: Kysely<Database>, id: IdempotencyKeyId, options: { forUpdate?: boolean } = {}) {
  let query = db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
  if (options.forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Extends an unanswered, locked key's lease; false when it is no longer in flight. */
export async function renewIdempotencyKeyLease(
  db: Kysely<Database>,
  id: IdempotencyKeyId,
  leaseSeconds: number,
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ locked_until: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
    .where('response_body', 'is', null)
    .where('locked_until', 'is not', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Stores the answer of an unanswered key and ends its lease. */
export async function storeIdempotencyKeyAnswer(
  db: Kysely<Database>,
  id: IdempotencyKeyId,
  answer: { status: number; body: Record<string, unknown> },
): Promise<void> {
  await storeIdempotencyKeyAnswerQuery(db, id, answer).execute()
}

/** The statement of {@link storeIdempotencyKeyAnswer}, unexecuted, to ride along another write (a CTE). */
export function storeIdempotencyKeyAnswerQuery(
  db: Kysely<Database>,
  id: IdempotencyKeyId,
  answer: { status: number; body: Record<string, unknown> },
) {
  return db
    .updateTable('idempotency_keys')
    .set({ response_status: answer.status, response_body: JSON.stringify(answer.body), locked_until: null })
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
    .where('response_body', 'is', null)
}

/** Deletes an unanswered key. */
export async function deleteIdempotencyKey(db: Kysely<Database>, id: IdempotencyKeyId): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
    .where('response_body', 'is', null)
    .execute()
}

/** Ends an unanswered key's lease at once, so the next retry takes it over. */
export async function unlockIdempotencyKeyRow(db: Kysely<Database>, id: IdempotencyKeyId): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ locked_until: null })
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
    .where('response_body', 'is', null)
    .execute()
}

/**
 * Deletes up to `batchSize` keys created more than `retentionSeconds` ago,
 * skipping rows another statement holds. Returns how many went.
 */
export async function deleteIdempotencyKeysOlderThan(
  db: Kysely<Database>,
  options: { retentionSeconds: number; batchSize: number },
): Promise<number> {
  const result = await sql`
    delete from idempotency_keys where ctid = any(array(
      select ctid from idempotency_keys
      where created_at < now() - make_interval(secs => ${options.retentionSeconds})
      limit ${options.batchSize}
      for update skip locked))`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

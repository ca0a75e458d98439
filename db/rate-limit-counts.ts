import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

/**
 * Counts one request of `caller` in `bucket` (`api_rate_limits`, unlogged),
 * in a window of `windowMs` aligned on the database clock: the same for
 * every replica. Returns the hits in the current window and when it ends.
 */
export async function countRateLimitHit(
  db: Kysely<Database>,
  hit: RateLimitHitRow,
): Promise<{ hits: number; resetInMs: number }> {
  const { rows } = await rateLimitHitStatement(hit).execute(db)
  const row = rows[0]
  if (!row) throw new Error('the rate limit upsert returned no row')
  return { hits: Number(row.hits), resetInMs: Math.max(0, Number(row.reset_in_ms)) }
}

/** One request to count: whose, in which bucket, in windows of how long. */
export interface RateLimitHitRow {
  bucket: string
  caller: string
  windowMs: number
}

/**
 * The upsert of {@link countRateLimitHit}, returning `hits` and `reset_in_ms`: a statement of its own, or a
 * data-modifying CTE of a larger one (`takeIdempotencyKeyWithinLimit`).
 */
export function rateLimitHitStatement(hit: RateLimitHitRow) {
  const window = sql`${hit.windowMs}::float8`
  return sql<{ hits: number; reset_in_ms: number }>`
    insert into api_rate_limits as r (bucket, caller, window_start, hits)
    values (
      ${hit.bucket}, ${hit.caller},
      to_timestamp(floor(extract(epoch from now())::float8 * 1000 / ${window}) * ${window} / 1000), 1
    )
    on conflict (bucket, caller) do update set
      hits = case when excluded.window_start > r.window_start then 1 else r.hits + 1 end,
      window_start = greatest(r.window_start, excluded.window_start)
    returning hits, extract(epoch from (window_start - now()))::float8 * 1000 + ${window} as reset_in_ms`
}

/** Deletes the counts of callers gone quiet for a day. */
export async function deleteStaleRateLimitCounts(db: Kysely<Database>): Promise<void> {
  await sql`delete from api_rate_limits where window_start < now() - interval '1 day'`.execute(db)
}

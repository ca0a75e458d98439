import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import type { RateLimitStore } from './rate-limit.js'

export interface PostgresRateLimitStoreProps {
  /** How often, at most, rows of callers gone quiet for a day are deleted; hourly by default. */
  sweepEveryMs?: number
}

/**
 * Counts requests in Postgres (`api_rate_limits`, an unlogged table), so
 * every API replica shares one count per caller: a limit of 20 a minute is
 * 20 a minute however many replicas serve the caller. In-process counters
 * would be cheaper but would let N replicas allow N times the limit, and
 * the routes limited here (placing orders, admin actions) write to Postgres
 * and start workflows anyway, so one upsert more is cheap. The table is
 * unlogged: after a database crash the counts start again, which is fine.
 *
 * @example
 * ```ts
 * const store = createPostgresRateLimitStore(db)
 * await store.hit('place-order', 'customer:cust_42', 60_000) // { hits: 1, resetInMs: 42_000 }
 * ```
 *
 * Windows are aligned on the database clock, the same for every replica.
 */
export function createPostgresRateLimitStore(db: Kysely<Database>, props: PostgresRateLimitStoreProps = {}): RateLimitStore {
  const sweepEveryMs = props.sweepEveryMs ?? 3_600_000
  let lastSweep = Date.now()
  return {
    async hit(bucket, caller, windowMs) {
      if (Date.now() - lastSweep > sweepEveryMs) {
        lastSweep = Date.now()
        await sql`delete from api_rate_limits where window_start < now() - interval '1 day'`.execute(db)
      }
      const window = sql`${windowMs}::float8`
      const { rows } = await sql<{ hits: number; reset_in_ms: number }>`
        insert into api_rate_limits as r (bucket, caller, window_start, hits)
        values (
          ${bucket}, ${caller},
          to_timestamp(floor(extract(epoch from now())::float8 * 1000 / ${window}) * ${window} / 1000), 1
        )
        on conflict (bucket, caller) do update set
          hits = case when excluded.window_start > r.window_start then 1 else r.hits + 1 end,
          window_start = greatest(r.window_start, excluded.window_start)
        returning hits, extract(epoch from (window_start - now()))::float8 * 1000 + ${window} as reset_in_ms`.execute(db)
      const row = rows[0]
      if (!row) throw new Error('the rate limit upsert returned no row')
      return { hits: Number(row.hits), resetInMs: Math.max(0, Number(row.reset_in_ms)) }
    },
  }
}

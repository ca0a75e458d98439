import type { Kysely } from '../db/connection.js'
import { countRateLimitHit, deleteStaleRateLimitCounts } from '../db/rate-limit-counts.js'
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
export function createPostgresRateLimitStore(
  db: Kysely<Database>,
  props: PostgresRateLimitStoreProps = {},
): RateLimitStore & {
  /** Deletes the counts of callers gone quiet for a day, when the last sweep is older than `sweepEveryMs`. */
  sweepIfDue(): Promise<void>
} {
  const sweepEveryMs = props.sweepEveryMs ?? 3_600_000
  let lastSweep = Date.now()
  const store = {
    async sweepIfDue() {
      if (Date.now() - lastSweep > sweepEveryMs) {
        lastSweep = Date.now()
        await deleteStaleRateLimitCounts(db)
      }
    },
    async hit(bucket: string, caller: string, windowMs: number) {
      await store.sweepIfDue()
      return countRateLimitHit(db, { bucket, caller, windowMs })
    },
  }
  return store
}

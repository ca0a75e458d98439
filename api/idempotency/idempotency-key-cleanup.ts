import { type Kysely, sql } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../../db/schema.js'
import { IDEMPOTENCY_KEY_RETENTION_MS } from './idempotency-keys.js'

export interface PurgeIdempotencyKeysOptions {
  /** Keys created longer ago than this go. Defaults to {@link IDEMPOTENCY_KEY_RETENTION_MS} (24 h). */
  retentionMs?: number
  /** Rows deleted per statement, so a large backlog never holds long locks. */
  batchSize?: number
}

/**
 * Deletes idempotency keys older than the retention, in batches.
 * Safe to run from every API replica at once.
 *
 * @returns how many keys were deleted
 */
export async function purgeExpiredIdempotencyKeys(
  db: Kysely<Database>,
  options: PurgeIdempotencyKeysOptions = {},
): Promise<number> {
  const retentionSeconds = (options.retentionMs ?? IDEMPOTENCY_KEY_RETENTION_MS) / 1000
  const batchSize = options.batchSize ?? 5_000
  let deleted = 0
  for (;;) {
    const result = await sql`
      delete from idempotency_keys where ctid = any(array(
        select ctid from idempotency_keys
        where created_at < now() - make_interval(secs => ${retentionSeconds})
        limit ${batchSize}
        for update skip locked))`.execute(db)
    const count = Number(result.numAffectedRows ?? 0)
    deleted += count
    if (count < batchSize) return deleted
  }
}

export interface IdempotencyKeyCleanupProps {
  db: Kysely<Database>
  logger: Logger
  retentionMs?: number
  /** How often to purge; hourly by default. */
  everyMs?: number
}

/**
 * Purges expired idempotency keys now and then every `everyMs`, on an unref'd
 * timer in the API process. Returns a function that stops it.
 *
 * @example
 * ```ts
 * const stopCleanup = startIdempotencyKeyCleanup({ db, logger })
 * // on shutdown
 * stopCleanup()
 * ```
 */
export function startIdempotencyKeyCleanup(props: IdempotencyKeyCleanupProps): () => void {
  const purge = () =>
    purgeExpiredIdempotencyKeys(props.db, props.retentionMs === undefined ? {} : { retentionMs: props.retentionMs })
      .then((deleted) => {
        if (deleted > 0) props.logger.info({ deleted }, 'expired idempotency keys purged')
      })
      .catch((error: unknown) => props.logger.warn({ err: error }, 'idempotency key purge failed; will retry'))
  void purge()
  const timer = setInterval(() => void purge(), props.everyMs ?? 3_600_000)
  timer.unref()
  return () => clearInterval(timer)
}

import type { Logger } from 'pino'
import { purgeExpiredIdempotencyKeys } from '../../commerce/idempotency-key.js'
import type { Kysely } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'

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

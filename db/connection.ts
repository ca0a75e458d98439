import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { recordQuerySpan } from './query-spans.js'
import type { Database } from './schema.js'

/** Postgres' int8 (bigint, count(*)) as a JS number: our amounts are minor units far below 2^53. */
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const parsed = Number(value)
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`int8 ${value} does not fit a JS number`)
  return parsed
})

export interface DatabaseProps {
  connectionString: string
  /** Pool size; the default suits one worker or one API process. */
  maxConnections?: number
  /**
   * How long opening a connection, or waiting for a free one, may take before
   * it fails: 10 s by default, inside the API's 15 s request timeout. A server
   * that accepts the socket and never answers is then an outage the API
   * answers with 503, and an activity retries, instead of a wait as long as
   * the request's own timeout.
   */
  connectionTimeoutMs?: number
}

/**
 * Opens a kysely handle on a pg pool. Close it with `db.destroy()`.
 *
 * @example
 * ```ts
 * const db = createDatabase({ connectionString: 'postgres://localhost/orders' })
 * ```
 */
export function createDatabase(props: DatabaseProps): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: props.connectionString,
    max: props.maxConnections ?? 10,
    connectionTimeoutMillis: props.connectionTimeoutMs ?? 10_000,
  })
  // An idle connection the server closes (restart, shutdown) is dropped from the pool, not fatal to the process.
  pool.on('error', () => undefined)
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: recordQuerySpan })
}

export type { Kysely }

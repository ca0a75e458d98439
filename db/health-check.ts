import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

/** Asks PostgreSQL for `select 1`: resolves when it answers. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db)
}

import { type Kysely, Migrator } from 'kysely'
import { migrations } from './migrations/index.js'
import type { Database } from './schema.js'

/**
 * Brings the schema up to date. Throws with the failing migration's name
 * when one fails, so callers exit non-zero instead of running on a half-built schema.
 *
 * @returns the names of the migrations applied by this call
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((result) => result.status === 'Error')
  if (error || failed) {
    const cause = error instanceof Error ? error : new Error(String(error))
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause.message}`, { cause })
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName)
}

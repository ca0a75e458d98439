import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FileMigrationProvider, type Kysely, Migrator } from 'kysely'

const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

/**
 * Brings the schema up to date. Throws with the failing migration's name
 * when one fails, so callers exit non-zero instead of running on a half-built schema.
 *
 * @returns the names of the migrations applied by this call
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder }) })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((result) => result.status === 'Error')
  if (error || failed) {
    const cause = error instanceof Error ? error : new Error(String(error))
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause.message}`, { cause })
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName)
}

/** `npm run migrate`: brings DATABASE_URL's schema up to date and exits non-zero if a migration fails. */
import { loadConfig } from '../config.js'
import { createDatabase } from './connection.js'
import { migrateToLatest } from './migrate.js'

const { database } = loadConfig()
if (!database.url) {
  console.error('npm run migrate needs DATABASE_URL (npm start migrates the embedded database itself)')
  process.exit(1)
}
const db = createDatabase({ connectionString: database.url, maxConnections: 1 })
try {
  const applied = await migrateToLatest(db)
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'schema up to date')
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await db.destroy()
}

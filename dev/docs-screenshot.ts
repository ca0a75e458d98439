/**
 * `npm run docs:screenshot`: starts the API on an embedded PostgreSQL and
 * Temporal dev server of its own (throwaway data, free ports), opens `/docs`
 * in headless Chromium and saves `.build/docs.png`. Needs
 * `apt-get install -y chromium`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appSettings } from '../api/app-deps.js'
import { createApp } from '../api/app.js'
import { serveApp } from '../api/serve.js'
import { loadConfig, projectRoot } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { createOrderChangeFeed } from '../db/order-change-feed.js'
import { seedDemoCatalog } from '../db/demo-catalog.js'
import { migrateToLatest } from '../db/migrate.js'
import { createLogger } from '../logger.js'
import { connectTemporal } from '../temporal/client.js'
import { CHROMIUM_PATH, chromiumInstalled, openDocsInBrowser } from './docs-in-browser.js'
import { startLocalStack } from './local-stack.js'

if (!chromiumInstalled()) {
  console.error(`No browser at ${CHROMIUM_PATH}: apt-get update && apt-get install -y chromium`)
  process.exit(1)
}
const scratch = mkdtempSync(join(tmpdir(), 'order-engine-docs-'))
const config = loadConfig({ DATA_DIR: scratch, NODE_ENV: 'development', LOG_LEVEL: 'warn' })
const logger = createLogger('warn', 'docs-screenshot')
const stack = await startLocalStack(config, logger, { ephemeral: true, scratchDir: scratch, allowCliDownload: true })
const db = createDatabase({ connectionString: stack.databaseUrl })
const { connection, client: temporal } = await connectTemporal({ ...config.temporal, address: stack.temporalAddress })
let failed = false
try {
  await migrateToLatest(db)
  await seedDemoCatalog(db)
  const orderChanges = createOrderChangeFeed({ connectionString: stack.databaseUrl, logger })
  const app = createApp({ db, temporal, logger, orderChanges, ...appSettings(config) })
  const server = await serveApp(app, { host: '127.0.0.1', port: 0 })
  try {
    const screenshotPath = join(projectRoot, '.build', 'docs.png')
    mkdirSync(join(projectRoot, '.build'), { recursive: true })
    const docs = await openDocsInBrowser({ baseUrl: `http://127.0.0.1:${server.port}`, screenshotPath })
    console.log(`${docs.title}: ${docs.operations.length} operations\n  ${docs.operations.join('\n  ')}`)
    if (docs.foreignRequests.length > 0)
      console.error(`requests to other origins (refused):\n  ${docs.foreignRequests.join('\n  ')}`)
    if (docs.errors.length > 0) console.error(`page errors:\n  ${docs.errors.join('\n  ')}`)
    failed = docs.operations.length === 0 || docs.foreignRequests.length > 0 || docs.errors.length > 0
    console.log(`saved ${screenshotPath}`)
  } finally {
    await orderChanges.close()
    await server.close()
  }
} finally {
  await connection.close()
  await db.destroy()
  await stack.stop()
  rmSync(scratch, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)

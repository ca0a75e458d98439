/**
 * `npm run api`: the HTTP API against DATABASE_URL and TEMPORAL_ADDRESS.
 * Stateless: run as many as you like behind a load balancer.
 */
import { Client, Connection } from '@temporalio/client'
import { loadConfig } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { createOrderChangeFeed } from '../db/order-change-feed.js'
import { createLogger } from '../logger.js'
import { appSettings } from './app-deps.js'
import { createApp } from './app.js'
import { startIdempotencyKeyCleanup } from './idempotency/idempotency-key-cleanup.js'
import { createApiPayments } from './payments/api-payments.js'
import { serveApp } from './serve.js'

const config = loadConfig()
const logger = createLogger(config.logLevel, 'order-api')
if (!config.database.url || !config.temporal.address) {
  logger.fatal('npm run api needs DATABASE_URL and TEMPORAL_ADDRESS; npm start runs the whole stack locally instead')
  process.exit(1)
}

const db = createDatabase({ connectionString: config.database.url })
const connection = await Connection.connect({ address: config.temporal.address })
const temporal = new Client({ connection, namespace: config.temporal.namespace })
const orderChanges = createOrderChangeFeed({
  connectionString: config.database.url,
  logger,
  applicationName: 'order-api-changes',
})
const stopKeyCleanup = startIdempotencyKeyCleanup({ db, logger })
const app = createApp({
  db,
  temporal,
  logger,
  orderChanges,
  ...appSettings(config),
  payments: createApiPayments(config.payments),
})
const server = await serveApp(app, { host: config.api.host, port: config.api.port })
logger.info({ url: config.api.publicUrl }, 'order API listening')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'order API draining')
    stopKeyCleanup()
    // Ends the open event streams first: the server waits for every response to finish.
    void orderChanges
      .close()
      .then(() => server.close())
      .then(() => Promise.all([connection.close(), db.destroy()]))
      .then(() => process.exit(0))
  })
}

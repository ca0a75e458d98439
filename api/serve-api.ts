import type { Client } from '@temporalio/client'
import type { Kysely } from '../db/connection.js'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { createOrderChangeFeed } from '../db/order-change-feed.js'
import type { Database } from '../db/schema.js'
import { appSettings } from './app-deps.js'
import { createApp } from './app.js'
import { startIdempotencyKeyCleanup } from './idempotency/idempotency-key-cleanup.js'
import { createApiPayments } from './payments/api-payments.js'
import { serveApp } from './serve.js'

export interface ServeApiProps {
  config: Config
  db: Kysely<Database>
  /** The database the order change feed LISTENs on (the same one as `db`). */
  databaseUrl: string
  temporal: Client
  logger: Logger
}

/**
 * Everything one API process runs besides its connections: the app, its
 * order change feed, the idempotency key cleanup, and the HTTP server.
 * `npm run api` and `npm start` both serve the API through this.
 *
 * @returns a stop that drains in the order that cannot hang: the event
 * streams end first (the server waits for every response), then the server.
 */
export async function serveApi(props: ServeApiProps): Promise<{ stop(): Promise<void> }> {
  const { config, db, logger } = props
  const orderChanges = createOrderChangeFeed({
    connectionString: props.databaseUrl,
    logger,
    applicationName: 'order-api-changes',
  })
  const stopKeyCleanup = startIdempotencyKeyCleanup({ db, logger })
  const app = createApp({
    db,
    temporal: props.temporal,
    logger,
    orderChanges,
    ...appSettings(config),
    payments: createApiPayments(config.payments),
  })
  const server = await serveApp(app, { host: config.api.host, port: config.api.port })
  logger.info({ url: config.api.publicUrl }, 'order API listening')
  return {
    async stop() {
      stopKeyCleanup()
      await orderChanges.close()
      await server.close()
    },
  }
}

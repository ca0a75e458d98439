/**
 * `npm run api`: the HTTP API against DATABASE_URL and TEMPORAL_ADDRESS.
 * Stateless: run as many as you like behind a load balancer.
 */
import { loadConfig } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { createLogger } from '../logger.js'
import { connectTemporal } from '../temporal/client.js'
import { installTracing } from '../tracing.js'
import { serveApi } from './serve-api.js'

const config = loadConfig()
const stopTracing = installTracing({
  otlpEndpoint: config.telemetry.otlpEndpoint,
  serviceName: config.telemetry.serviceName ?? 'order-api',
})
const logger = createLogger(config.logLevel, 'order-api')
if (!config.database.url || !config.temporal.address) {
  logger.fatal('npm run api needs DATABASE_URL and TEMPORAL_ADDRESS; npm start runs the whole stack locally instead')
  process.exit(1)
}

const db = createDatabase({ connectionString: config.database.url })
const { connection, client: temporal } = await connectTemporal({ ...config.temporal, address: config.temporal.address })
const api = await serveApi({ config, db, databaseUrl: config.database.url, temporal, logger })

// `on`, not `once`: one Ctrl-C arrives more than once (the process group, then npm and tsx relaying it),
// and a copy finding no listener would kill the process mid-drain.
let draining = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (draining) return
    draining = true
    logger.info({ signal }, 'order API draining')
    void api
      .stop()
      .then(() => Promise.all([connection.close(), db.destroy(), stopTracing()]))
      .then(() => process.exit(0))
  })
}

/**
 * `npm run worker`: one order worker against DATABASE_URL and TEMPORAL_ADDRESS.
 * Run more of them to scale out. SIGINT/SIGTERM drain it: in-flight
 * activities finish (or are left for another worker to retry), then it exits.
 */
import { loadConfig } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { createLogger, installTemporalLogging } from '../logger.js'
import { connectTemporal } from '../temporal/client.js'
import { connectWorkerToTemporal } from '../temporal/worker-connection.js'
import { installTracing } from '../tracing.js'
import { createConfiguredOrderWorker } from './configured-order-worker.js'

const config = loadConfig()
const stopTracing = installTracing({
  otlpEndpoint: config.telemetry.otlpEndpoint,
  serviceName: config.telemetry.serviceName ?? 'order-worker',
})
const logger = createLogger(config.logLevel, 'order-worker')
if (!config.database.url || !config.temporal.address) {
  logger.fatal('npm run worker needs DATABASE_URL and TEMPORAL_ADDRESS; npm start runs the whole stack locally instead')
  process.exit(1)
}
if (config.env === 'production' && !config.temporal.workflowBundlePath) {
  logger.fatal('NODE_ENV=production needs WORKFLOW_BUNDLE_PATH (build it with npm run build:workflows)')
  process.exit(1)
}
installTemporalLogging(logger, { metricsAddress: config.temporal.metricsAddress })

const db = createDatabase({ connectionString: config.database.url })
const endpoint = { ...config.temporal, address: config.temporal.address }
const connection = await connectWorkerToTemporal(endpoint)
try {
  const setup = await connectTemporal(endpoint)
  const worker = await createConfiguredOrderWorker(config, { temporal: setup, connection, db, logger }).finally(() =>
    setup.connection.close(),
  )
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'order worker running')
  await worker.run()
  logger.info('order worker stopped')
} finally {
  await connection.close()
  await db.destroy()
  await stopTracing()
}

/**
 * The real order worker (`createOrderWorker`: the engine's activities and
 * workflow bundle) as the bench's child process, with the worker settings
 * under measurement: `order-worker-process.ts '<OrderWorkerTuning as JSON>'`.
 * Reads DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE and
 * WORKFLOW_BUNDLE_PATH like `npm run worker`; tells its parent `'ready'`.
 */
import { loadConfig } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { createLogger, installTemporalLogging } from '../logger.js'
import { connectWorkerToTemporal } from '../temporal/worker-connection.js'
import { type OrderWorkerTuning, createOrderWorker } from '../workers/create-order-worker.js'

const config = loadConfig()
const logger = createLogger(config.logLevel, 'bench-order-worker')
installTemporalLogging(logger)
const tuning = JSON.parse(process.argv[2] ?? '{}') as OrderWorkerTuning
const db = createDatabase({ connectionString: config.database.url ?? '' })
const connection = await connectWorkerToTemporal({ ...config.temporal, address: config.temporal.address ?? '' })
try {
  const worker = await createOrderWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db,
    logger,
    workflowBundlePath: config.temporal.workflowBundlePath,
    tuning,
    payloadKeys: config.temporal.payloadKeys,
  })
  const running = worker.run()
  process.send?.('ready')
  await running
} finally {
  await connection.close()
  await db.destroy()
}

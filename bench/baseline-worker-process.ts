/**
 * The worker of the bench's baselines (`baseline-workflows.ts`) as a child
 * process: the engine's own activities, so a baseline's calls cost what the
 * order's do. `baseline-worker-process.ts <task queue> <bundle path>`; reads
 * DATABASE_URL and TEMPORAL_ADDRESS; tells its parent `'ready'`.
 */
import { Worker } from '@temporalio/worker'
import { createOrderActivities } from '../activities/order-activities.js'
import { createSandboxPaymentProvider } from '../adapters/payments/sandbox-payment-provider.js'
import { createSimulatedCarrier } from '../adapters/shipping/simulated-carrier.js'
import { loadConfig } from '../config.js'
import { createDatabase } from '../db/connection.js'
import { createLogger, installTemporalLogging } from '../logger.js'
import { orderEngineDataConverter } from '../temporal/data-converter.js'
import { connectWorkerToTemporal } from '../temporal/worker-connection.js'

const [taskQueue = 'bench-baseline', bundlePath = ''] = process.argv.slice(2)
const config = loadConfig()
const logger = createLogger(config.logLevel, 'bench-baseline-worker')
installTemporalLogging(logger)
const db = createDatabase({ connectionString: config.database.url ?? '' })
const connection = await connectWorkerToTemporal({ ...config.temporal, address: config.temporal.address ?? '' })
try {
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    activities: createOrderActivities({
      db,
      logger,
      payments: createSandboxPaymentProvider({ db }),
      carrier: createSimulatedCarrier({ db }),
    }),
    dataConverter: orderEngineDataConverter(config.temporal.payloadKeys),
    workflowBundle: { codePath: bundlePath },
  })
  const running = worker.run()
  process.send?.('ready')
  await running
} finally {
  await connection.close()
  await db.destroy()
}

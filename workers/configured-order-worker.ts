import type { Client, Connection } from '@temporalio/client'
import type { NativeConnection, Worker } from '@temporalio/worker'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { configuredPaymentProviders } from '../adapters/payments/configured-payment-providers.js'
import type { Config } from '../config.js'
import type { Database } from '../db/schema.js'
import { ensureCodReconciliationSchedule } from './cod-reconciliation-schedule.js'
import { createOrderWorker } from './create-order-worker.js'
import { ensureOrderSearchAttributes } from './search-attributes-setup.js'

/**
 * Readies the namespace for order workers (search attributes, the daily COD
 * reconciliation schedule) and builds the worker the config describes.
 * `npm run worker` and `npm start` both start their worker through this.
 */
export async function createConfiguredOrderWorker(
  config: Config,
  deps: {
    temporal: { connection: Connection; client: Client }
    connection: NativeConnection
    db: Kysely<Database>
    logger: Logger
  },
): Promise<Worker> {
  const { namespace, taskQueue } = config.temporal
  await ensureOrderSearchAttributes(deps.temporal.connection, namespace, deps.logger)
  await ensureCodReconciliationSchedule(deps.temporal.client, { taskQueue, logger: deps.logger })
  return createOrderWorker({
    connection: deps.connection,
    namespace,
    taskQueue,
    db: deps.db,
    logger: deps.logger,
    workflowBundlePath: config.temporal.workflowBundlePath,
    paymentProviders: configuredPaymentProviders(config.payments),
    webhooks: {
      rules: { httpsOnly: config.webhooks.httpsOnly, allowPrivateTargets: config.webhooks.allowPrivateTargets ?? false },
    },
  })
}

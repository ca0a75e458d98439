import type { Client, Connection } from '@temporalio/client'
import type { NativeConnection, Worker } from '@temporalio/worker'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { createSmtpMailer } from '../adapters/email/mailer.js'
import { configuredPaymentProviders } from '../adapters/payments/configured-payment-providers.js'
import type { Config } from '../config.js'
import type { Database } from '../db/schema.js'
import { ensureCodReconciliationSchedule } from './cod-reconciliation-schedule.js'
import { createOrderWorker } from './create-order-worker.js'
import { ensureNotificationDispatcher } from './notification-dispatcher-setup.js'
import { ensureOrderSearchAttributes } from './search-attributes-setup.js'

/**
 * Readies the namespace for order workers (search attributes, the daily COD
 * reconciliation schedule, the notification dispatcher) and builds the
 * worker the config describes, sending mail through `SMTP_URL`.
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
  await ensureNotificationDispatcher(deps.temporal.client, { taskQueue, logger: deps.logger })
  const { smtpUrl, mailFrom } = config.notifications
  if (!smtpUrl) deps.logger.warn('SMTP_URL is not set: notification mails are skipped (recorded as such), not sent')
  return createOrderWorker({
    connection: deps.connection,
    namespace,
    taskQueue,
    payloadKeys: config.temporal.payloadKeys,
    db: deps.db,
    logger: deps.logger,
    workflowBundlePath: config.temporal.workflowBundlePath,
    shutdownGraceMs: config.temporal.workerShutdownGraceMs,
    paymentProviders: configuredPaymentProviders(config.payments),
    mailer: smtpUrl ? createSmtpMailer({ url: smtpUrl, from: mailFrom }) : null,
    webhooks: {
      rules: { httpsOnly: config.webhooks.httpsOnly, allowPrivateTargets: config.webhooks.allowPrivateTargets ?? false },
    },
  })
}

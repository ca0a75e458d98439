import { fileURLToPath } from 'node:url'
import { type NativeConnection, Worker } from '@temporalio/worker'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../db/schema.js'
import { createOrderActivities } from '../activities/order-activities.js'
import type { Mailer } from '../adapters/email/mailer.js'
import { type WebhookDeliverySettings, createWebhookActivities } from '../activities/webhook-activities.js'
import type { PaymentProvider } from '../adapters/payments/payment-provider.js'
import { createSandboxPaymentProvider } from '../adapters/payments/sandbox-payment-provider.js'
import type { Carrier } from '../adapters/shipping/carrier.js'
import { createSimulatedCarrier } from '../adapters/shipping/simulated-carrier.js'
import { orderEngineDataConverter } from '../temporal/data-converter.js'
import type { PayloadKey } from '../temporal/payload-encryption.js'
import { tracingWorkerOptions } from '../temporal/tracing-interceptors.js'
import { withClientSpans } from '../tracing.js'
import { sharedWorkflowModules } from './shared-workflow-modules.js'

/** Where the workflow code comes from: a prebuilt bundle, or the source bundled at start. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url))

/** Worker settings the benchmark measures (`npm run bench -- --worker-tuning '{...}'`); the SDK's defaults when left out. */
export interface OrderWorkerTuning {
  maxCachedWorkflows?: number
  maxConcurrentWorkflowTaskExecutions?: number
  maxConcurrentActivityTaskExecutions?: number
}

export interface OrderWorkerProps {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  /** The keys the workflows' payloads are sealed with, oldest first (`Config.temporal.payloadKeys`). */
  payloadKeys: readonly PayloadKey[]
  db: Kysely<Database>
  logger: Logger
  /** A prebuilt bundle (`npm run build:workflows`); without one the source is bundled at start. */
  workflowBundlePath: string | null
  /** The provider of card orders that name none; defaults to the sandbox. */
  payments?: PaymentProvider
  /** The other configured providers (Stripe, PayPal), found by the name each order was placed with. */
  paymentProviders?: readonly PaymentProvider[]
  /** Defaults to the simulated carrier. */
  carrier?: Carrier
  /** How long a stopping worker lets in-flight activities finish before cancelling them; 0 (cancel at once) by default. */
  shutdownGraceMs?: number
  /** Where notification mails go (`SMTP_URL`); without one the email channel skips, saying so. */
  mailer?: Mailer | null
  /** How webhooks are delivered: `webhookDefaults`, private targets refused, unless given. */
  webhooks?: Partial<WebhookDeliverySettings>
  tuning?: OrderWorkerTuning
}

/**
 * Builds the order worker: activities wired to their dependencies, and the
 * workflow code. The caller runs it and owns the connection and the database.
 */
export async function createOrderWorker(props: OrderWorkerProps): Promise<Worker> {
  const webhookActivities = createWebhookActivities({
    db: props.db,
    logger: props.logger,
    ...(props.webhooks ? { webhooks: props.webhooks } : {}),
  })
  const activities = {
    ...createOrderActivities({
      db: props.db,
      logger: props.logger,
      payments: withClientSpans('payment', props.payments ?? createSandboxPaymentProvider({ db: props.db })),
      paymentProviders: (props.paymentProviders ?? []).map((provider) => withClientSpans('payment', provider)),
      carrier: withClientSpans('carrier', props.carrier ?? createSimulatedCarrier({ db: props.db })),
      mailer: props.mailer ?? null,
      // Each notification's order event goes to outbound webhooks as a channel of its own.
      publishOrderEvent: webhookActivities.publishOrderEvent,
    }),
    ...webhookActivities,
  }
  return Worker.create({
    connection: props.connection,
    namespace: props.namespace,
    taskQueue: props.taskQueue,
    activities,
    dataConverter: orderEngineDataConverter(props.payloadKeys),
    shutdownGraceTime: props.shutdownGraceMs ?? 0,
    ...tracingWorkerOptions({ prebuiltBundle: Boolean(props.workflowBundlePath) }),
    ...props.tuning,
    ...(props.workflowBundlePath
      ? { workflowBundle: { codePath: props.workflowBundlePath } }
      : { workflowsPath, bundlerOptions: { preloadModules: sharedWorkflowModules } }),
  })
}

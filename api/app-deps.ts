import type { Client } from '@temporalio/client'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Database } from '../db/schema.js'
import type { Principal } from './auth.js'
import type { ApiPayments } from './payments/api-payments.js'

/** What the HTTP app needs from the outside world; `createApp(deps)` wires nothing else. */
export interface AppDeps {
  db: Kysely<Database>
  temporal: Client
  taskQueue: string
  logger: Logger
  jwtSecret: string
  carrierWebhookSecret: string
  storeCurrency: string
  codConfirmationTimeoutMs: number
  /** How long a live workflow query may take before the read model answers instead. */
  liveQueryTimeoutMs?: number
  /** The configured payment providers; only the sandbox when omitted. */
  payments?: ApiPayments
}

/** The settings part of {@link AppDeps}, read from the config. */
export function appSettings(
  config: Config,
): Pick<AppDeps, 'taskQueue' | 'jwtSecret' | 'carrierWebhookSecret' | 'storeCurrency' | 'codConfirmationTimeoutMs'> {
  return {
    taskQueue: config.temporal.taskQueue,
    jwtSecret: config.auth.jwtSecret,
    carrierWebhookSecret: config.carrier.webhookSecret,
    storeCurrency: config.orders.storeCurrency,
    codConfirmationTimeoutMs: config.orders.codConfirmationTimeoutMs,
  }
}

/** The typed context variables every handler can read (`c.var.logger`, `c.var.principal`). */
export interface AppEnv {
  Variables: {
    requestId: string
    logger: Logger
    principal: Principal
  }
}

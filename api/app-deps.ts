import type { Client } from '@temporalio/client'
import type { WebhookTargetRules } from '../adapters/webhooks/webhook-targets.js'
import type { Kysely } from '../db/connection.js'
import type { Logger } from 'pino'
import type { Config, JwksAlgorithm, RateLimitSetting } from '../config.js'
import type { OrderChangeFeed } from '../db/order-change-feed.js'
import type { Database } from '../db/schema.js'
import type { AccessTokenVerifier, Principal } from './access-tokens.js'
import type { ApiPayments } from './payments/api-payments.js'

/**
 * What the HTTP app needs from the outside world; `createApp(deps)` wires nothing else.
 * The optional settings default to `apiDefaults` in config.ts (no CORS, no metrics token).
 */
export interface AppDeps {
  db: Kysely<Database>
  temporal: Client
  taskQueue: string
  logger: Logger
  /** The HS256 secret of embedded tokens; unused when `jwksUrl` is set. */
  jwtSecret: string
  carrierWebhookSecret: string
  storeCurrency: string
  codConfirmationTimeoutMs: number
  /**
   * How long after delivery admins may still refund a card or PayPal order
   * (the order's workflow stays open that long); no refunds after delivery when omitted.
   */
  refundWindowMs?: number
  /** How long after delivery a customer may ask for a return (RETURN_WINDOW); the workflow's default when omitted. */
  returnWindowMs?: number
  /** How long after approval the customer has to ship a return (RETURN_SHIP_DEADLINE); the workflow's default when omitted. */
  returnShipDeadlineMs?: number
  /** How long a workflow start or signal may take before the answer is 503 (Temporal unavailable); 5 s by default. */
  temporalCallTimeoutMs?: number
  /** How long the API waits for a workflow to take an update before answering 504 (or 503 if Temporal is down); 8 s by default. */
  temporalUpdateTimeoutMs?: number
  /** The `iss` every token must carry. */
  jwtIssuer?: string
  /** The `aud` every token must carry. */
  jwtAudience?: string
  /** Verify tokens against this JWKS instead of the HS256 secret. */
  jwksUrl?: string | null
  jwksAlgorithms?: readonly JwksAlgorithm[]
  /** Seconds of leeway on a token's `exp` and `nbf`; `apiDefaults.jwtClockToleranceSeconds` (5) by default. */
  jwtClockToleranceSeconds?: number
  /** Browser origins allowed to call cross-origin. */
  corsAllowedOrigins?: readonly string[]
  bodyLimitBytes?: number
  requestTimeoutMs?: number
  rateLimits?: { placeOrder: RateLimitSetting; adminActions: RateLimitSetting }
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | null
  /** The process's one LISTEN connection on order changes, behind `GET /v1/orders/:id/events`. */
  orderChanges: OrderChangeFeed
  /** How often an idle order event stream sends a heartbeat comment; 15 s by default. */
  orderEventsHeartbeatMs?: number
  /** The configured payment providers; only the sandbox when omitted. */
  payments?: ApiPayments
  /** Which webhook URLs admins may register; http allowed and private targets refused when omitted. */
  webhookTargetRules?: WebhookTargetRules
}

type AppSettings =
  | 'taskQueue'
  | 'jwtSecret'
  | 'carrierWebhookSecret'
  | 'storeCurrency'
  | 'codConfirmationTimeoutMs'
  | 'refundWindowMs'
  | 'returnWindowMs'
  | 'returnShipDeadlineMs'
  | 'jwtIssuer'
  | 'jwtAudience'
  | 'jwksUrl'
  | 'jwksAlgorithms'
  | 'jwtClockToleranceSeconds'
  | 'corsAllowedOrigins'
  | 'bodyLimitBytes'
  | 'requestTimeoutMs'
  | 'rateLimits'
  | 'metricsToken'
  | 'webhookTargetRules'

/** The settings part of {@link AppDeps}, read from the config. */
export function appSettings(config: Config): Required<Pick<AppDeps, AppSettings>> {
  return {
    taskQueue: config.temporal.taskQueue,
    // With a JWKS the embedded secret is never used: reading it would only create a dev secret file.
    jwtSecret: config.auth.jwksUrl ? '' : config.auth.jwtSecret,
    carrierWebhookSecret: config.carrier.webhookSecret,
    storeCurrency: config.orders.storeCurrency,
    codConfirmationTimeoutMs: config.orders.codConfirmationTimeoutMs,
    refundWindowMs: config.orders.refundWindowMs,
    returnWindowMs: config.returns.windowMs,
    returnShipDeadlineMs: config.returns.shipDeadlineMs,
    jwtIssuer: config.auth.issuer,
    jwtAudience: config.auth.audience,
    jwksUrl: config.auth.jwksUrl,
    jwksAlgorithms: config.auth.jwksAlgorithms,
    jwtClockToleranceSeconds: config.auth.clockToleranceSeconds,
    corsAllowedOrigins: config.api.corsAllowedOrigins,
    bodyLimitBytes: config.api.bodyLimitBytes,
    requestTimeoutMs: config.api.requestTimeoutMs,
    rateLimits: config.rateLimits,
    metricsToken: config.api.metricsToken,
    webhookTargetRules: {
      httpsOnly: config.webhooks.httpsOnly,
      allowPrivateTargets: config.webhooks.allowPrivateTargets ?? false,
    },
  }
}

/** The typed context variables every handler can read (`c.var.logger`, `c.var.principal`). */
export interface AppEnv {
  Variables: {
    requestId: string
    logger: Logger
    principal: Principal
    /** The verifier `authenticate()` checks bearer tokens with; set by `createApp`. */
    accessTokens: AccessTokenVerifier
  }
}

/**
 * The one reader of `process.env`, and the one entry to the settings. Every setting of the order engine is
 * parsed here, once, by the zod schema in config/env-schema.ts (its parsers are in config/parse.ts, its
 * defaults in config/defaults.ts); a bad value stops the process with every problem listed instead of failing
 * later in the middle of an order.
 *
 * @example
 * ```ts
 * const config = loadConfig()
 * config.api.port // 3000 unless PORT is set
 * ```
 */
import { createHash } from 'node:crypto'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apiDefaults } from './config/defaults.js'
import { devSecret } from './config/dev-secret.js'
import { envSchema } from './config/env-schema.js'
import type { JwksAlgorithm, PayloadKeySetting, RateLimitSetting } from './config/parse.js'
import { type TemporalTlsSettings, temporalConnectionSettings } from './config/temporal-connection.js'

// What importers have always found here; each lives in its own module under config/.
export {
  DEFAULT_TASK_QUEUE,
  apiDefaults,
  notificationDefaults,
  orderDefaults,
  paymentDefaults,
  webhookDefaults,
} from './config/defaults.js'
export type { Env } from './config/env-schema.js'
export {
  type JwksAlgorithm,
  type PayloadKeySetting,
  type RateLimitSetting,
  jwksAlgorithmChoices,
  parseDuration,
  parseRateLimit,
  parseSize,
} from './config/parse.js'
export type { TemporalTlsSettings } from './config/temporal-connection.js'

/** The repository root: `.data/` and `.tools/` live below it. */
export const projectRoot = dirname(fileURLToPath(import.meta.url))

/** Everything the engine's processes need to know, grouped by who uses it. */
export interface Config {
  env: 'development' | 'production' | 'test'
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  dataDir: string
  api: {
    host: string
    port: number
    publicUrl: string
    /** Browser origins allowed to call the API cross-origin; none by default. */
    corsAllowedOrigins: string[]
    bodyLimitBytes: number
    requestTimeoutMs: number
    /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
    metricsToken: string | null
  }
  database: { url: string | null; embeddedPort: number }
  temporal: {
    address: string | null
    namespace: string
    /** TLS towards Temporal (with an mTLS client certificate or not); `null` is plaintext, as to a dev server. */
    tls: TemporalTlsSettings | null
    /** Sent as `Authorization: Bearer <key>` on every call (Temporal Cloud API keys). Never logged. */
    apiKey: string | null
    /** Where a worker's SDK core serves its Prometheus metrics (`temporal_*`); off when `null`. */
    metricsAddress: string | null
    taskQueue: string
    cliPath: string | null
    /** Where to look for a `temporal` binary on the PATH. */
    searchPath: string | null
    skipCliInstall: boolean
    devServerPort: number
    uiPort: number
    workflowBundlePath: string | null
    /** How long a stopping worker lets in-flight activities finish before cancelling them (WORKER_SHUTDOWN_GRACE_TIME). */
    workerShutdownGraceMs: number
    /**
     * The keys payloads are sealed with, oldest first; the last seals new ones (TEMPORAL_PAYLOAD_KEYS, or a key
     * generated into the data directory outside production).
     */
    payloadKeys: readonly PayloadKeySetting[]
    /** Where {@link Config.temporal.payloadKeys} come from, for messages. */
    payloadKeysSource: string
  }
  /** The codec server: decodes payloads for the Temporal Web UI and CLI, for callers holding its token. */
  codecServer: {
    host: string
    port: number
    /** How the UI and the CLI reach it. */
    url: string
    /** The bearer token callers present (CODEC_SERVER_TOKEN, or generated into the data directory). */
    token: string
    /** Browser origins allowed to call it: the Temporal Web UI's. */
    allowedOrigins: string[]
  }
  auth: {
    /** The HS256 secret of embedded tokens; unused when {@link Config.auth.jwksUrl} is set. */
    jwtSecret: string
    issuer: string
    audience: string
    /** Verify tokens against this identity provider's keys instead of the HS256 secret. */
    jwksUrl: string | null
    jwksAlgorithms: readonly JwksAlgorithm[]
    /** Where {@link Config.auth.jwtSecret} comes from: `JWT_SECRET`, or the file in the data directory. */
    jwtSecretSource: string
    /** Seconds of leeway on `exp` and `nbf` (JWT_CLOCK_TOLERANCE, 5 s by default). */
    clockToleranceSeconds: number
  }
  rateLimits: { placeOrder: RateLimitSetting; adminActions: RateLimitSetting }
  carrier: {
    webhookSecret: string
    autopilot: boolean | null
    autopilotStepMs: number
    /** Where `npm run carrier:simulate` posts carrier events; null means {@link Config.api.publicUrl}. */
    simulatorApiUrl: string | null
  }
  orders: {
    storeCurrency: string
    codConfirmationTimeoutMs: number
    /** How long after delivery admins may still refund a card or PayPal order. */
    refundWindowMs: number
  }
  returns: {
    /** How long after delivery a customer may ask for a return (RETURN_WINDOW, 30 days by default). */
    windowMs: number
    /** How long after approval the customer has to ship the return before it closes by itself (RETURN_SHIP_DEADLINE, 14 days). */
    shipDeadlineMs: number
  }
  payments: PaymentsConfig
  notifications: {
    /** The SMTP server mails go through; null: `npm start` runs its mail catcher, a lone worker skips mails. */
    smtpUrl: string | null
    mailFrom: string
    /** `npm start`'s mail catcher (maildev) when SMTP_URL is unset. */
    mailCatcher: { smtpPort: number; webPort: number }
  }
  webhooks: {
    /** Only https webhook URLs (NODE_ENV=production). */
    httpsOnly: boolean
    /** WEBHOOK_ALLOW_PRIVATE_TARGETS; null when unset (`npm start` then allows them, the worker and API do not). */
    allowPrivateTargets: boolean | null
  }
  /** Tracing: spans go over OTLP/HTTP to `otlpEndpoint` when it is set; `serviceName` overrides each process's own. */
  telemetry: { otlpEndpoint: string | null; serviceName: string | null }
}

/** The payment providers that are configured; a method whose provider is null is refused at placement. */
export interface PaymentsConfig {
  stripe: { secretKey: string; webhookSecret: string | null; apiBase: string | null } | null
  paypal: {
    clientId: string
    clientSecret: string
    webhookId: string | null
    environment: 'sandbox' | 'production'
    /** When PayPal takes the money: at hand-over (`AUTHORIZE`, the default) or as soon as the buyer approves (`CAPTURE`). */
    intent: 'AUTHORIZE' | 'CAPTURE'
    apiBase: string | null
    returnUrl: string | null
    cancelUrl: string | null
  } | null
  actionTimeoutMs: number
  authorizationValidityMs: number
}

/** Thrown by {@link loadConfig} with one line per invalid variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses the environment into a {@link Config}.
 *
 * Defaults suit a laptop: embedded Postgres and Temporal, generated secrets in
 * `.data/`. With NODE_ENV=production the secrets must come from the
 * environment.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`))
  }
  const env = parsed.data
  const problems: string[] = []
  if (env.NODE_ENV === 'production') {
    if (!env.JWT_SECRET && !env.JWKS_URL) problems.push('JWT_SECRET: required when NODE_ENV=production (or set JWKS_URL)')
    if (!env.CARRIER_WEBHOOK_SECRET) problems.push('CARRIER_WEBHOOK_SECRET: required when NODE_ENV=production')
    if (!env.TEMPORAL_PAYLOAD_KEYS) problems.push('TEMPORAL_PAYLOAD_KEYS: required when NODE_ENV=production')
    if (env.JWKS_URL && !env.JWKS_URL.startsWith('https://')) problems.push('JWKS_URL: must be https:// when NODE_ENV=production')
  }
  if (env.JWKS_ALGORITHMS && !env.JWKS_URL) problems.push('JWKS_ALGORITHMS: only applies with JWKS_URL')
  if (Boolean(env.PAYPAL_CLIENT_ID) !== Boolean(env.PAYPAL_CLIENT_SECRET)) {
    problems.push('PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET: set both or neither')
  }
  const temporalAuth = temporalConnectionSettings(env, problems)
  if (problems.length > 0) throw new ConfigError(problems)

  const dataDir = isAbsolute(env.DATA_DIR) ? env.DATA_DIR : resolve(projectRoot, env.DATA_DIR)
  const publicHost = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    dataDir,
    api: {
      host: env.HOST,
      port: env.PORT,
      publicUrl: env.PUBLIC_URL ?? `http://${publicHost}:${env.PORT}`,
      corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
      bodyLimitBytes: env.REQUEST_BODY_LIMIT,
      requestTimeoutMs: env.REQUEST_TIMEOUT,
      metricsToken: env.METRICS_TOKEN ?? null,
    },
    database: { url: env.DATABASE_URL ?? null, embeddedPort: env.EMBEDDED_POSTGRES_PORT },
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? null,
      namespace: env.TEMPORAL_NAMESPACE,
      ...temporalAuth,
      metricsAddress: env.TEMPORAL_METRICS_ADDRESS ?? null,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      cliPath: env.TEMPORAL_CLI_PATH ?? null,
      searchPath: env.PATH ?? null,
      skipCliInstall: env.ORDER_ENGINE_SKIP_TOOLS,
      devServerPort: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH ?? null,
      workerShutdownGraceMs: env.WORKER_SHUTDOWN_GRACE_TIME,
      get payloadKeys() {
        return env.TEMPORAL_PAYLOAD_KEYS ?? [devPayloadKey(dataDir)]
      },
      payloadKeysSource: env.TEMPORAL_PAYLOAD_KEYS ? 'TEMPORAL_PAYLOAD_KEYS' : join(dataDir, 'temporal-payload-key.secret'),
    },
    codecServer: {
      host: env.HOST,
      port: env.CODEC_SERVER_PORT,
      url: env.CODEC_SERVER_URL ?? `http://localhost:${env.CODEC_SERVER_PORT}`,
      // Checked when read: only the codec server needs it, and it reads it at start.
      get token() {
        if (env.CODEC_SERVER_TOKEN) return env.CODEC_SERVER_TOKEN
        if (env.NODE_ENV === 'production') throw new ConfigError(['CODEC_SERVER_TOKEN: required when NODE_ENV=production'])
        return devSecret(dataDir, 'codec-server-token')
      },
      allowedOrigins: env.CODEC_SERVER_ALLOWED_ORIGINS ?? [
        `http://localhost:${env.TEMPORAL_UI_PORT}`,
        `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
      ],
    },
    auth: {
      get jwtSecret() {
        return env.JWT_SECRET ?? devSecret(dataDir, 'jwt')
      },
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      jwksUrl: env.JWKS_URL ?? null,
      jwksAlgorithms: env.JWKS_ALGORITHMS ?? apiDefaults.jwksAlgorithms,
      jwtSecretSource: env.JWT_SECRET ? 'JWT_SECRET' : join(dataDir, 'jwt.secret'),
      clockToleranceSeconds: env.JWT_CLOCK_TOLERANCE,
    },
    rateLimits: { placeOrder: env.RATE_LIMIT_PLACE_ORDER, adminActions: env.RATE_LIMIT_ADMIN_ACTIONS },
    carrier: {
      get webhookSecret() {
        return env.CARRIER_WEBHOOK_SECRET ?? devSecret(dataDir, 'carrier-webhook')
      },
      autopilot: env.CARRIER_AUTOPILOT ?? null,
      autopilotStepMs: env.CARRIER_AUTOPILOT_STEP,
      simulatorApiUrl: env.CARRIER_SIMULATOR_API_URL ?? null,
    },
    orders: {
      storeCurrency: env.STORE_CURRENCY,
      codConfirmationTimeoutMs: env.COD_CONFIRMATION_TIMEOUT,
      refundWindowMs: env.REFUND_WINDOW,
    },
    returns: { windowMs: env.RETURN_WINDOW, shipDeadlineMs: env.RETURN_SHIP_DEADLINE },
    payments: {
      stripe: env.STRIPE_SECRET_KEY
        ? {
            secretKey: env.STRIPE_SECRET_KEY,
            webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? null,
            apiBase: env.STRIPE_API_BASE ?? null,
          }
        : null,
      paypal:
        env.PAYPAL_CLIENT_ID && env.PAYPAL_CLIENT_SECRET
          ? {
              clientId: env.PAYPAL_CLIENT_ID,
              clientSecret: env.PAYPAL_CLIENT_SECRET,
              webhookId: env.PAYPAL_WEBHOOK_ID ?? null,
              environment: env.PAYPAL_ENVIRONMENT,
              intent: env.PAYPAL_INTENT,
              apiBase: env.PAYPAL_API_BASE ?? null,
              returnUrl: env.PAYPAL_RETURN_URL ?? null,
              cancelUrl: env.PAYPAL_CANCEL_URL ?? null,
            }
          : null,
      actionTimeoutMs: env.PAYMENT_ACTION_TIMEOUT,
      authorizationValidityMs: env.PAYMENT_AUTHORIZATION_VALIDITY,
    },
    notifications: {
      smtpUrl: env.SMTP_URL ?? null,
      mailFrom: env.MAIL_FROM,
      mailCatcher: { smtpPort: env.MAILDEV_SMTP_PORT, webPort: env.MAILDEV_WEB_PORT },
    },
    webhooks: { httpsOnly: env.NODE_ENV === 'production', allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? null },
    telemetry: { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? null, serviceName: env.OTEL_SERVICE_NAME ?? null },
  }
}

/**
 * The payload key of a laptop: 32 random bytes generated into the data directory on first use, named by a digest of
 * itself, so a history sealed with another folder's key says which key it wants.
 */
function devPayloadKey(dataDir: string): PayloadKeySetting {
  const key = Buffer.from(devSecret(dataDir, 'temporal-payload-key'), 'base64url')
  return { id: `dev-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`, key }
}

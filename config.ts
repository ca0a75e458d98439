/**
 * The one reader of `process.env`. Every setting of the order engine is parsed
 * here, once, by a zod schema; a bad value stops the process with every
 * problem listed instead of failing later in the middle of an order.
 *
 * @example
 * ```ts
 * const config = loadConfig()
 * config.api.port // 3000 unless PORT is set
 * ```
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

/** The repository root: `.data/` and `.tools/` live below it. */
export const projectRoot = dirname(fileURLToPath(import.meta.url))

/** The task queue the order worker polls, unless TEMPORAL_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'orders'

const durationUnits = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * Parses `500ms`, `30s`, `15m`, `48h` or `2d` into milliseconds.
 * Returns `null` for anything else.
 */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim())
  if (!match) return null
  return Number(match[1]) * durationUnits[match[2] as keyof typeof durationUnits]
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text)
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 30s, 15m or 48h` })
    return z.NEVER
  }
  return ms
})

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')

const sizeUnits = { b: 1, kib: 1_024, kb: 1_024, mib: 1_048_576, mb: 1_048_576 } as const

/**
 * Parses a size in bytes: `65536`, `64KiB` or `1MiB` (`kb`/`mb` are read as
 * KiB/MiB, case-insensitive). Returns `null` for anything else.
 */
export function parseSize(text: string): number | null {
  const match = /^(\d+)\s*(b|kib|kb|mib|mb)?$/i.exec(text.trim())
  if (!match) return null
  return Number(match[1]) * sizeUnits[(match[2]?.toLowerCase() ?? 'b') as keyof typeof sizeUnits]
}

const size = z.string().transform((text, ctx) => {
  const bytes = parseSize(text)
  if (bytes === null || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a size like 65536, 64KiB or 1MiB` })
    return z.NEVER
  }
  return bytes
})

/** A request budget: at most `limit` requests per window. */
export interface RateLimitSetting {
  limit: number
  windowMs: number
}

/**
 * Parses `20/1m` (20 requests a minute) or `5/10s` into a {@link RateLimitSetting}.
 * Returns `null` for anything else.
 */
export function parseRateLimit(text: string): RateLimitSetting | null {
  const match = /^(\d+)\s*\/\s*(\S+)$/.exec(text.trim())
  const windowMs = match?.[2] ? parseDuration(match[2]) : null
  const limit = Number(match?.[1])
  if (!match || windowMs === null || windowMs <= 0 || !Number.isSafeInteger(limit) || limit < 1) return null
  return { limit, windowMs }
}

const rateLimit = z.string().transform((text, ctx) => {
  const setting = parseRateLimit(text)
  if (!setting) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a rate like 20/1m (requests per window)` })
    return z.NEVER
  }
  return setting
})

/** Signing algorithms a JWKS-verified token may use; `none` and HMAC are never among them. */
export const jwksAlgorithmChoices = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const
export type JwksAlgorithm = (typeof jwksAlgorithmChoices)[number]

const jwksAlgorithms = z.string().transform((text, ctx) => {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const unknown = names.filter((name) => !(jwksAlgorithmChoices as readonly string[]).includes(name))
  if (names.length === 0 || unknown.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must list algorithms among ${jwksAlgorithmChoices.join(', ')}` })
    return z.NEVER
  }
  return names as JwksAlgorithm[]
})

/** `https://shop.example,http://localhost:5173`: exact origins, never `*`. */
const originList = z.string().transform((text, ctx) => {
  const origins: string[] = []
  for (const entry of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    let origin: string | null = null
    try {
      const url = new URL(entry)
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry.replace(/\/$/, '')) origin = url.origin
    } catch {
      origin = null
    }
    if (!origin) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not an origin like https://shop.example (scheme, host and port only; "*" is never allowed)`,
      })
      continue
    }
    origins.push(origin)
  }
  return origins
})

/**
 * The API's protective defaults, shared by the config and by `createApp` for
 * deps that leave a setting out.
 */
export const apiDefaults = {
  jwtIssuer: 'order-engine',
  jwtAudience: 'order-engine-api',
  jwksAlgorithms: ['RS256', 'ES256'] as readonly JwksAlgorithm[],
  /** Leeway on a token's `exp` and `nbf` for clocks that differ a little: a token expired 6 s ago is refused. */
  jwtClockToleranceSeconds: 5,
  bodyLimitBytes: 64 * 1_024,
  requestTimeoutMs: 15_000,
  placeOrderRateLimit: { limit: 20, windowMs: 60_000 } as RateLimitSetting,
  adminActionRateLimit: { limit: 60, windowMs: 60_000 } as RateLimitSetting,
} as const

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),

  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  PUBLIC_URL: z.string().url().optional(),

  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65_535).default(5433),

  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default(DEFAULT_TASK_QUEUE),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65_535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65_535).default(8233),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default(apiDefaults.jwtIssuer),
  JWT_AUDIENCE: z.string().min(1).default(apiDefaults.jwtAudience),
  JWKS_URL: z.string().url().optional(),
  JWKS_ALGORITHMS: jwksAlgorithms.optional(),
  JWT_CLOCK_TOLERANCE: z
    .string()
    .transform((text, ctx) => {
      const ms = parseDuration(text)
      if (ms === null || ms % 1_000 !== 0 || ms > 300_000) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a whole number of seconds up to 5m, like 0s or 5s` })
        return z.NEVER
      }
      return ms / 1_000
    })
    .default(apiDefaults.jwtClockToleranceSeconds),

  CORS_ALLOWED_ORIGINS: originList.default([]),
  REQUEST_BODY_LIMIT: size.default(apiDefaults.bodyLimitBytes),
  REQUEST_TIMEOUT: duration.default(apiDefaults.requestTimeoutMs),
  RATE_LIMIT_PLACE_ORDER: rateLimit.default(apiDefaults.placeOrderRateLimit),
  RATE_LIMIT_ADMIN_ACTIONS: rateLimit.default(apiDefaults.adminActionRateLimit),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CARRIER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),

  STORE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
    .default('USD'),
  COD_CONFIRMATION_TIMEOUT: duration.default(48 * 3_600_000),
  REFUND_WINDOW: duration.default(30 * 86_400_000),

  CARRIER_AUTOPILOT: flag.optional(),
  /** Set in images and CI caches that bring their own Temporal CLI: `npm install` then skips fetching one. */
  ORDER_ENGINE_SKIP_TOOLS: flag.default(false),
  PATH: z.string().optional(),
  CARRIER_AUTOPILOT_STEP: duration.default(4_000),

  // Payments. Secrets come from here only; they are never logged nor put in workflow history.
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_/, 'must be a Stripe secret key (sk_test_... or sk_live_...)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_', 'must be a webhook signing secret (whsec_...)').optional(),
  /** Another Stripe API (stripe-mock, a test fake), as http://127.0.0.1:12111. */
  STRIPE_API_BASE: z.string().url().optional(),
  PAYPAL_CLIENT_ID: z.string().min(1).optional(),
  PAYPAL_CLIENT_SECRET: z.string().min(1).optional(),
  PAYPAL_WEBHOOK_ID: z.string().min(1).optional(),
  PAYPAL_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  /** AUTHORIZE: hold at approval, capture at hand-over. CAPTURE: take the money at approval, refund on cancellation. */
  PAYPAL_INTENT: z.enum(['AUTHORIZE', 'CAPTURE']).default('AUTHORIZE'),
  /** Another PayPal API (a test fake), as http://127.0.0.1:8080. */
  PAYPAL_API_BASE: z.string().url().optional(),
  /** The storefront pages PayPal sends the buyer back to after approving or giving up. */
  PAYPAL_RETURN_URL: z.string().url().optional(),
  PAYPAL_CANCEL_URL: z.string().url().optional(),
  /** How long a customer has to finish 3-D Secure or approve a PayPal order before the order is cancelled. */
  PAYMENT_ACTION_TIMEOUT: duration.default(3_600_000),
  /** How long a card authorization is held before it must be captured or given up (card networks allow ~7 days). */
  PAYMENT_AUTHORIZATION_VALIDITY: duration.default(6 * 86_400_000),
})

export type Env = z.input<typeof envSchema>

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
    taskQueue: string
    cliPath: string | null
    /** Where to look for a `temporal` binary on the PATH. */
    searchPath: string | null
    skipCliInstall: boolean
    devServerPort: number
    uiPort: number
    workflowBundlePath: string | null
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
  carrier: { webhookSecret: string; autopilot: boolean | null; autopilotStepMs: number }
  orders: {
    storeCurrency: string
    codConfirmationTimeoutMs: number
    /** How long after delivery admins may still refund a card or PayPal order. */
    refundWindowMs: number
  }
  payments: PaymentsConfig
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
 * Reads a secret kept in the data directory, creating it on first use (the
 * config's secret fields are getters, so nothing is written until one is read). This
 * is how a fresh clone gets a JWT secret and a carrier secret with no setup;
 * production sets JWT_SECRET and CARRIER_WEBHOOK_SECRET instead.
 */
function devSecret(dataDir: string, name: string): string {
  const file = join(dataDir, `${name}.secret`)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
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
    if (env.JWKS_URL && !env.JWKS_URL.startsWith('https://')) problems.push('JWKS_URL: must be https:// when NODE_ENV=production')
  }
  if (env.JWKS_ALGORITHMS && !env.JWKS_URL) problems.push('JWKS_ALGORITHMS: only applies with JWKS_URL')
  if (Boolean(env.PAYPAL_CLIENT_ID) !== Boolean(env.PAYPAL_CLIENT_SECRET)) {
    problems.push('PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET: set both or neither')
  }
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
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      cliPath: env.TEMPORAL_CLI_PATH ?? null,
      searchPath: env.PATH ?? null,
      skipCliInstall: env.ORDER_ENGINE_SKIP_TOOLS,
      devServerPort: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH ?? null,
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
    },
    orders: {
      storeCurrency: env.STORE_CURRENCY,
      codConfirmationTimeoutMs: env.COD_CONFIRMATION_TIMEOUT,
      refundWindowMs: env.REFUND_WINDOW,
    },
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
  }
}

/**
 * Every environment variable the order engine reads, with how it is parsed and its default. `loadConfig()`
 * (config.ts) parses the environment with this schema, once, and groups the result into a `Config`.
 */
import { z } from 'zod'
import {
  DEFAULT_TASK_QUEUE,
  apiDefaults,
  carrierAutopilotStepMs,
  notificationDefaults,
  orderDefaults,
  paymentDefaults,
  returnDefaults,
} from './defaults.js'
import { duration, flag, jwksAlgorithmList, originList, payloadKeyList, rateLimit, secondsUpTo5Minutes, size } from './parse.js'

export const envSchema = z.object({
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
  // How to reach a cluster over TLS or Temporal Cloud: checked together in config/temporal-connection.ts.
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: flag.optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_CERT_DATA: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: z.string().min(1).optional(),
  /** Where a worker's SDK core serves its Prometheus metrics, as host:port. */
  TEMPORAL_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'must be host:port, like 0.0.0.0:9464')
    .optional(),
  TEMPORAL_TASK_QUEUE: z.string().default(DEFAULT_TASK_QUEUE),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65_535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65_535).default(8233),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  WORKER_SHUTDOWN_GRACE_TIME: duration.default(20_000),
  /** The AES-256 keys Temporal payloads are sealed with, `id:base64,…`, oldest first; the last one seals. */
  TEMPORAL_PAYLOAD_KEYS: payloadKeyList.optional(),

  /** The codec server the Temporal Web UI and CLI decode payloads through (`npm start`, `npm run codec-server`). */
  CODEC_SERVER_PORT: z.coerce.number().int().min(1).max(65_535).default(8234),
  CODEC_SERVER_URL: z.string().url().optional(),
  CODEC_SERVER_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  CODEC_SERVER_ALLOWED_ORIGINS: originList.optional(),
  /** Traces go to this OTLP/HTTP collector (`http://tempo:4318`); none are exported without it. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default(apiDefaults.jwtIssuer),
  JWT_AUDIENCE: z.string().min(1).default(apiDefaults.jwtAudience),
  JWKS_URL: z.string().url().optional(),
  JWKS_ALGORITHMS: jwksAlgorithmList.optional(),
  JWT_CLOCK_TOLERANCE: secondsUpTo5Minutes.default(apiDefaults.jwtClockToleranceSeconds),

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
    .default(orderDefaults.storeCurrency),
  COD_CONFIRMATION_TIMEOUT: duration.default(orderDefaults.codConfirmationTimeoutMs),
  REFUND_WINDOW: duration.default(orderDefaults.refundWindowMs),
  RETURN_WINDOW: duration.default(returnDefaults.windowMs),
  RETURN_SHIP_DEADLINE: duration.default(returnDefaults.shipDeadlineMs),

  /** The SMTP server notification mails go through: smtp://user:pass@host:587, smtps://host:465. */
  SMTP_URL: z
    .string()
    .url()
    .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From of notification mails. */
  MAIL_FROM: z.string().min(3).default(notificationDefaults.mailFrom),
  /** `npm start`'s mail catcher (maildev), used when SMTP_URL is unset. */
  MAILDEV_SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(notificationDefaults.mailCatcherSmtpPort),
  MAILDEV_WEB_PORT: z.coerce.number().int().min(1).max(65_535).default(notificationDefaults.mailCatcherWebPort),

  CARRIER_AUTOPILOT: flag.optional(),
  /** Let webhooks reach loopback, link-local and private addresses; `npm start` does unless set to false. */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: flag.optional(),
  /** Set in images and CI caches that bring their own Temporal CLI: `npm install` then skips fetching one. */
  ORDER_ENGINE_SKIP_TOOLS: flag.default(false),
  PATH: z.string().optional(),
  CARRIER_AUTOPILOT_STEP: duration.default(carrierAutopilotStepMs),
  /** Where `npm run carrier:simulate` posts carrier events; PUBLIC_URL by default. */
  CARRIER_SIMULATOR_API_URL: z.string().url().optional(),

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
  PAYMENT_ACTION_TIMEOUT: duration.default(paymentDefaults.actionTimeoutMs),
  /** How long a card authorization is held before it must be captured or given up (card networks allow ~7 days). */
  PAYMENT_AUTHORIZATION_VALIDITY: duration.default(paymentDefaults.authorizationValidityMs),
})

/** The environment as `loadConfig()` accepts it: every variable optional, as text. */
export type Env = z.input<typeof envSchema>

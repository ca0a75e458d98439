/**
 * What every setting is when the environment leaves it out. Plain values with no Node import, so any layer
 * may read them.
 */
import { paymentWindowDefaults } from '../domain/payment-windows.js'
import type { JwksAlgorithm, RateLimitSetting } from './parse.js'

/** The task queue the order worker polls, unless TEMPORAL_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'orders'

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

/** The order rules' defaults: the store's currency and how long an order waits for an admin or a refund. */
export const orderDefaults = {
  storeCurrency: 'USD',
  /** COD_CONFIRMATION_TIMEOUT: how long a cash-on-delivery order waits for an admin's confirmation. */
  codConfirmationTimeoutMs: 48 * 3_600_000,
  /** REFUND_WINDOW: how long after delivery a card or PayPal order may still be refunded. */
  refundWindowMs: 30 * 86_400_000,
} as const

/** The returns policy's defaults: how long after delivery a return may be asked for, and shipped once approved. */
export const returnDefaults = {
  /** RETURN_WINDOW: how long after delivery a customer may ask to send items back. */
  windowMs: 30 * 86_400_000,
  /** RETURN_SHIP_DEADLINE: how long after approval the customer has to hand the parcel over before the return closes by itself. */
  shipDeadlineMs: 14 * 86_400_000,
} as const

/** The payment providers' timing defaults: PAYMENT_ACTION_TIMEOUT and PAYMENT_AUTHORIZATION_VALIDITY. */
export const paymentDefaults = paymentWindowDefaults

/** The simulated carrier's autopilot: how often it moves each parcel one step along. */
export const carrierAutopilotStepMs = 4_000

/** Notification mail defaults: the From address and `npm start`'s mail catcher ports (maildev's own defaults). */
export const notificationDefaults = {
  mailFrom: 'Order engine <orders@order-engine.localhost>',
  mailCatcherSmtpPort: 1025,
  mailCatcherWebPort: 1080,
}
/**
 * How the worker delivers outbound webhooks. Retries back off exponentially
 * from 30 s to at most 4 h between attempts and stop 3 days after a run's
 * first attempt (about 25 attempts); an endpoint whose every attempt has
 * failed for 5 days is disabled. Each attempt has 10 s and reads at most 16 KiB of the answer.
 */
export const webhookDefaults = {
  retry: { initialIntervalMs: 30_000, backoffCoefficient: 2, maximumIntervalMs: 4 * 3_600_000, giveUpAfterMs: 3 * 86_400_000 },
  disableAfterMs: 5 * 86_400_000,
  requestTimeoutMs: 10_000,
  maxResponseBytes: 16 * 1_024,
} as const

import type { MiddlewareHandler } from 'hono'
import { apiDefaults } from '../config.js'
import type { AppDeps, AppEnv } from './app-deps.js'
import { createPostgresRateLimitStore } from './postgres-rate-limit-store.js'
import { byCaller, rateLimit } from './rate-limit.js'

/** A route's budget counted in its use case's own statement, not by the {@link rateLimit} middleware. */
export interface CountedBudget {
  name: string
  limit: number
  windowMs: number
  /** Deletes the counts of callers gone quiet for a day, hourly at most (the middleware's store does it on its hits). */
  sweepIfDue(): Promise<void>
}

/**
 * Per-customer budget for `POST /v1/orders` (RATE_LIMIT_PLACE_ORDER, 20 a
 * minute by default): each placement starts a workflow and reserves stock,
 * so a flood of orders is also a way to hold stock hostage. Counted in the
 * statement that claims the placement's Idempotency-Key (one round trip for
 * both, see `placeOrder`), so a body that is not valid (400) is not counted.
 */
export function placeOrderBudget(deps: AppDeps): CountedBudget {
  const setting = deps.rateLimits?.placeOrder ?? apiDefaults.placeOrderRateLimit
  const store = createPostgresRateLimitStore(deps.db)
  return { name: 'place-order', ...setting, sweepIfDue: () => store.sweepIfDue() }
}

/**
 * Per-admin budget shared by every admin action (RATE_LIMIT_ADMIN_ACTIONS,
 * 60 a minute by default). Put it after `authenticate({ roles: ['admin'] })`
 * on every admin route, so a leaked admin token cannot be used at speed.
 */
export function adminActionRateLimit(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const setting = deps.rateLimits?.adminActions ?? apiDefaults.adminActionRateLimit
  return rateLimit({ name: 'admin-actions', ...setting, key: byCaller, store: createPostgresRateLimitStore(deps.db) })
}

import type { MiddlewareHandler } from 'hono'
import { apiDefaults } from '../config.js'
import type { AppDeps, AppEnv } from './app-deps.js'
import { createPostgresRateLimitStore } from './postgres-rate-limit-store.js'
import { byCaller, rateLimit } from './rate-limit.js'

/**
 * Per-customer budget for `POST /v1/orders` (RATE_LIMIT_PLACE_ORDER, 20 a
 * minute by default): each placement starts a workflow and reserves stock,
 * so a flood of orders is also a way to hold stock hostage.
 */
export function placeOrderRateLimit(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const setting = deps.rateLimits?.placeOrder ?? apiDefaults.placeOrderRateLimit
  return rateLimit({ name: 'place-order', ...setting, key: byCaller, store: createPostgresRateLimitStore(deps.db) })
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

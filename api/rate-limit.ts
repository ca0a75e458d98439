import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-deps.js'
import { RequestRateLimited } from '../commerce/commerce-errors.js'
import { problemResponse } from './problem.js'

/** One counted request, as the store sees it. */
export interface RateLimitHit {
  /** Requests counted in the current window, this one included. */
  hits: number
  /** Milliseconds until the window ends and the count starts again. */
  resetInMs: number
}

/** Where request counts live; see `createPostgresRateLimitStore`. */
export interface RateLimitStore {
  /** Counts one request of `caller` against `bucket` in the current window of `windowMs`. */
  hit(bucket: string, caller: string, windowMs: number): Promise<RateLimitHit>
}

export interface RateLimitOptions {
  /** The bucket: routes that share a name share a budget (`place-order`, `admin-actions`). */
  name: string
  /** Requests allowed per window and caller. */
  limit: number
  windowMs: number
  /** Who is counted; `null` lets the request through uncounted. {@link byCaller} after `authenticate()`. */
  key: (c: Context<AppEnv>) => string | null
  store: RateLimitStore
}

/** The authenticated caller, `role:subject`; use after `authenticate()` in a route's middleware. */
export function byCaller(c: Context<AppEnv>): string | null {
  const principal = c.get('principal') as AppEnv['Variables']['principal'] | undefined
  return principal ? `${principal.role}:${principal.subject}` : null
}

/**
 * Allows each caller `limit` requests per window (fixed windows), answering
 * the next ones with 429 problem+json and `Retry-After`. Every answer carries
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds).
 *
 * @example
 * ```ts
 * createRoute({ ..., middleware: [authenticate({ roles: ['admin'] }), adminActionRateLimit(deps)] as const })
 * rateLimit({ name: 'exports', limit: 5, windowMs: 60_000, key: byCaller, store })
 * ```
 *
 * Put it after `authenticate()`, so refused tokens are not counted against
 * anyone and 403s come before 429s. Requests are counted before their body
 * is validated: invalid ones spend the budget too. If the store fails, the
 * request goes through (logged): the limit protects the service, it must
 * not take it down.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async function limitRate(c, next) {
    const caller = options.key(c)
    if (caller === null) return next()
    let counted: RateLimitHit
    try {
      counted = await options.store.hit(options.name, caller, options.windowMs)
    } catch (error) {
      c.var.logger.warn({ err: error, bucket: options.name }, 'rate limit store failed; request let through')
      return next()
    }
    const resetSeconds = showRateLimit(c, options, caller, counted)
    if (counted.hits > options.limit) {
      return problemResponse(c, 'rate_limited', RequestRateLimited.detail(options.limit, options.windowMs, resetSeconds))
    }
    return next()
  }
}

/**
 * Puts a counted request's `RateLimit-*` headers on its answer, and `Retry-After` (logged) when it is over the
 * limit. Returns the seconds until the window ends. For a count made elsewhere than {@link rateLimit}: a
 * placement's, made with its Idempotency-Key's claim.
 */
export function showRateLimit(
  c: Context<AppEnv>,
  options: Pick<RateLimitOptions, 'name' | 'limit'>,
  caller: string,
  counted: RateLimitHit,
): number {
  const resetSeconds = Math.max(1, Math.ceil(counted.resetInMs / 1000))
  c.header('RateLimit-Limit', String(options.limit))
  c.header('RateLimit-Remaining', String(Math.max(0, options.limit - counted.hits)))
  c.header('RateLimit-Reset', String(resetSeconds))
  if (counted.hits > options.limit) {
    c.header('Retry-After', String(resetSeconds))
    c.var.logger.warn({ bucket: options.name, caller, hits: counted.hits }, 'rate limited')
  }
  return resetSeconds
}

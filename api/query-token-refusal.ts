import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-deps.js'
import { problemResponse } from './problem.js'

/** Query parameters that clients and libraries use to put a bearer token in a URL. */
export const TOKEN_QUERY_PARAMETERS = ['access_token', 'token'] as const

/**
 * Refuses any request carrying a token in its query string (`?access_token=`,
 * `?token=`) with 401, whatever the route: URLs end up in access logs,
 * proxies, browser history and Referer headers. Tokens go in
 * `Authorization: Bearer` only.
 */
export function refuseTokensInQuery(): MiddlewareHandler<AppEnv> {
  return async function refuseQueryToken(c, next) {
    // Most requests have no query string at all: nothing to parse then.
    if (!c.req.url.includes('?')) return next()
    const query = new URL(c.req.url).searchParams
    const found = TOKEN_QUERY_PARAMETERS.find((name) => query.has(name))
    if (found) {
      return problemResponse(
        c,
        'unauthenticated',
        `Tokens are never accepted in the URL (?${found}=): send Authorization: Bearer <token>, and treat this token as leaked`,
      )
    }
    return next()
  }
}

import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import type { AppEnv } from './app-deps.js'

export interface RequestLoggingOptions {
  logger: Logger
}

/**
 * Gives every request a child logger carrying its request id, and writes one
 * line per request when it ends: method, route, status, duration, caller.
 */
export function requestLogging(options: RequestLoggingOptions): MiddlewareHandler<AppEnv> {
  return async function logRequest(c, next) {
    const started = performance.now()
    const logger = options.logger.child({ requestId: c.var.requestId })
    c.set('logger', logger)
    await next()
    const principal = c.get('principal') as AppEnv['Variables']['principal'] | undefined
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        route: c.req.routePath,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        caller: principal ? `${principal.role}:${principal.subject}` : null,
        orderId: c.req.param('id') ?? null,
      },
      'request',
    )
  }
}

import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { Counter, Histogram, type Registry } from 'prom-client'
import type { AppEnv } from './app-deps.js'

export interface HttpMetricsOptions {
  registry: Registry
}

/** The label of requests no route matched: raw paths would let any client mint new series. */
export const UNMATCHED_ROUTE = '(unmatched)'

/**
 * Counts every request and times it, in `http_requests_total` and
 * `http_request_duration_seconds`, labelled by method, route template
 * (`/v1/orders/:id`, never the raw path) and status. Mount it first, so
 * it sees the final status of every answer, problems and timeouts included.
 *
 * @example
 * ```ts
 * app.use(httpMetrics({ registry }))
 * ```
 *
 * These are this process's own numbers: sum them over replicas.
 */
export function httpMetrics(options: HttpMetricsOptions): MiddlewareHandler<AppEnv> {
  const labelNames = ['method', 'route', 'status'] as const
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames,
    registers: [options.registry],
  })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [options.registry],
  })
  return async function measureRequest(c, next) {
    const started = performance.now()
    try {
      await next()
    } finally {
      // The handler's route is the last one matched that is not a middleware (method ALL).
      const handlers = matchedRoutes(c).filter((matched) => matched.method !== 'ALL')
      const route = handlers[handlers.length - 1]?.path ?? UNMATCHED_ROUTE
      const labels = { method: c.req.method, route, status: String(c.res.status) }
      requests.inc(labels)
      duration.observe(labels, (performance.now() - started) / 1000)
    }
  }
}

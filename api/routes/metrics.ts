import { timingSafeEqual } from 'node:crypto'
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { Registry } from 'prom-client'
import { sdkMetricsText } from '../../temporal/sdk-metrics.js'
import type { AppEnv } from '../app-deps.js'
import { ApiProblem } from '../problem.js'
import { problemResponses } from '../schemas/problems.js'

export interface MetricsRouterOptions {
  registry: Registry
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token: string | null
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** `GET /metrics`: Prometheus text format, HTTP metrics of this process and the global order metrics. */
export function metricsRouter(options: MetricsRouterOptions) {
  const router = new OpenAPIHono<AppEnv>()
  const scrape = createRoute({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    description:
      'Process and HTTP metrics of this replica, and business metrics (orders placed, confirmed, cancelled, delivered, ' +
      'payment failures, awaiting confirmation) read from Postgres, the same on every replica. ' +
      'Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
    responses: {
      200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
      ...problemResponses(401),
    },
  })
  router.openapi(scrape, async (c) => {
    if (options.token !== null) {
      const given = /^Bearer +(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1]
      if (!given || !sameSecret(given, options.token))
        throw new ApiProblem('unauthenticated', 'Send Authorization: Bearer <METRICS_TOKEN>')
    }
    // Then the Temporal SDK's series: the client's, and the worker's where this process runs one (npm start).
    const body = `${await options.registry.metrics()}\n${await sdkMetricsText()}`
    return c.text(body, 200, { 'Content-Type': options.registry.contentType, 'Cache-Control': 'no-store' })
  })
  return router
}

import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { pingDatabase } from '../../db/health-check.js'
import type { AppDeps, AppEnv } from '../app-deps.js'

const Check = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.enum(['ok', 'unavailable'])) })

/** `/health` (the process is alive) and `/ready` (Postgres and Temporal answer). */
export function healthRouter(deps: AppDeps) {
  const router = new OpenAPIHono<AppEnv>()
  router.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      summary: 'Liveness',
      responses: {
        200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
      },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  )
  router.openapi(
    createRoute({
      method: 'get',
      path: '/ready',
      summary: 'Readiness: Postgres and Temporal reachable',
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: Check } } },
        503: { description: 'Not ready', content: { 'application/json': { schema: Check } } },
      },
    }),
    async (c) => {
      const within = <T>(promise: Promise<T>) =>
        Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref())])
          .then(() => 'ok' as const)
          .catch(() => 'unavailable' as const)
      const [postgres, temporal] = await Promise.all([
        within(pingDatabase(deps.db)),
        within(deps.temporal.workflowService.getSystemInfo({})),
      ])
      const ready = postgres === 'ok' && temporal === 'ok'
      const body = { status: ready ? ('ok' as const) : ('unavailable' as const), checks: { postgres, temporal } }
      return ready ? c.json(body, 200) : c.json(body, 503)
    },
  )
  return router
}

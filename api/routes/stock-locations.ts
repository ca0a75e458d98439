import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { listStockLocations, upsertStockLocation } from '../../db/stock-locations.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { adminOnly, authenticate } from '../auth.js'
import { adminActionRateLimit } from '../route-rate-limits.js'
import { problemResponses } from '../schemas/problems.js'
import { StockLocation, StockLocationIdParam, StockLocationInput } from '../schemas/stock-locations.js'
import { validationProblem } from '../validation-hook.js'

/**
 * `/v1/stock-locations` (admins only): where stock is held. Orders are
 * planned over every location (see the README's fulfilment plan rule).
 */
export function stockLocationsRouter(deps: AppDeps) {
  const admins = authenticate({ roles: ['admin'] })
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })

  const list = createRoute({
    method: 'get',
    path: '/',
    summary: 'Every stock location (admin)',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    responses: {
      200: {
        description: 'The locations, by id',
        content: { 'application/json': { schema: z.object({ data: z.array(StockLocation) }) } },
      },
      ...problemResponses(401, 403, 429),
    },
  })
  router.openapi(list, async (c) => c.json({ data: await listStockLocations(deps.db) }, 200))

  const put = createRoute({
    method: 'put',
    path: '/{id}',
    summary: 'Create or rename a stock location (admin)',
    description:
      'Sets the name and the country (ISO 3166-1 alpha-2) of a location; it then holds stock through ' +
      '`POST /v1/products/{sku}/stock-adjustments` with `locationId`. The country decides which location ships an order ' +
      'when several have every line. `default` holds the stock that existed before locations did.',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: {
      params: StockLocationIdParam,
      body: { content: { 'application/json': { schema: StockLocationInput } }, required: true },
    },
    responses: {
      200: { description: 'The location, updated', content: { 'application/json': { schema: StockLocation } } },
      201: { description: 'The location, created', content: { 'application/json': { schema: StockLocation } } },
      ...problemResponses(400, 401, 403, 413, 429),
    },
  })
  router.openapi(put, async (c) => {
    const { id } = c.req.valid('param')
    const { location, created } = await upsertStockLocation(deps.db, { id, ...c.req.valid('json') })
    c.var.logger.info({ locationId: id, created }, 'stock location saved')
    if (created) {
      c.header('Location', `/v1/stock-locations/${id}`)
      return c.json(location, 201)
    }
    return c.json(location, 200)
  })
  return router
}

import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { listProducts } from '../../db/catalog.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { validationProblem } from '../validation-hook.js'

const Product = z
  .object({
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    prices: z.array(z.object({ currency: z.string(), unitPrice: z.number().int() })),
    available: z.number().int(),
  })
  .openapi('Product')

/** `/v1/products`: the public catalog, with prices in minor units and the stock not yet reserved. */
export function productsRouter(deps: AppDeps) {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  const list = createRoute({
    method: 'get',
    path: '/',
    summary: 'The catalog',
    responses: {
      200: {
        description: 'Every product for sale',
        content: { 'application/json': { schema: z.object({ data: z.array(Product) }) } },
      },
    },
  })
  router.openapi(list, async (c) => c.json({ data: await listProducts(deps.db) }, 200))
  return router
}

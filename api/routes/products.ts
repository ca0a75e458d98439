import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { listProducts } from '../../db/catalog.js'
import type { AppDeps, AppEnv } from '../app-deps.js'
import { type Principal, adminOnly, authenticate } from '../auth.js'
import { adminActionRateLimit } from '../route-rate-limits.js'
import { adjustStock } from '../../commerce/adjust-stock.js'
import { readCatalogAudit } from '../../commerce/read-catalog-audit.js'
import { upsertProduct } from '../../commerce/upsert-product.js'
import { problemResponses } from '../schemas/problems.js'
import {
  AdminProduct,
  CatalogAuditEntry,
  ProductInput,
  SkuParam,
  StockAdjustment,
  StockAdjustmentBody,
} from '../schemas/products.js'
import { RequiredIdempotencyKeyHeader } from '../schemas/shared-fields.js'
import { validationProblem } from '../validation-hook.js'

const Product = z
  .object({
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    prices: z.array(z.object({ currency: z.string(), unitPrice: z.number().int() })),
    available: z.number().int().openapi({ description: 'Units not yet reserved, summed over every stock location.' }),
    locations: z
      .array(z.object({ locationId: z.string(), available: z.number().int() }))
      .optional()
      .openapi({ description: 'For admins only (sent with an admin token): the units not yet reserved at each location.' }),
  })
  .openapi('Product')

const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'is not a cursor this API returned')
    .optional(),
})

/**
 * `/v1/products`: the public catalog, with prices in minor units and the
 * stock not yet reserved; and its administration (admins only): create or
 * update a product, adjust its stock, read its audit trail.
 */
export function productsRouter(deps: AppDeps) {
  const admins = authenticate({ roles: ['admin'] })
  const anyone = authenticate()
  /** The catalog needs no token; one that is sent must be valid, and an admin's shows the stock per location. */
  const callerIfAny: MiddlewareHandler<AppEnv> = async function callerIfAny(c, next) {
    if (c.req.header('Authorization') === undefined) return next()
    return anyone(c, next)
  }
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem })
  const list = createRoute({
    method: 'get',
    path: '/',
    summary: 'The catalog',
    description:
      'No token needed. `available` is the stock not yet reserved, summed over every location; with an admin token, ' +
      '`locations` says how much each location has. A token that is sent must be valid (401 otherwise).',
    middleware: [callerIfAny] as const,
    security: [{}, { bearerAuth: [] }],
    responses: {
      200: {
        description: 'Every product for sale',
        content: { 'application/json': { schema: z.object({ data: z.array(Product) }) } },
      },
      ...problemResponses(401),
    },
  })
  router.openapi(list, async (c) => {
    const principal = c.get('principal') as Principal | undefined
    return c.json({ data: await listProducts(deps.db, { perLocation: principal?.role === 'admin' }) }, 200)
  })

  const put = createRoute({
    method: 'put',
    path: '/{sku}',
    summary: 'Create or update a product (admin)',
    description:
      'Sets the name, description, active flag and prices (minor units; a currency left out is no longer sold). ' +
      'A new product starts with no stock. Every change is recorded in the audit trail.',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: {
      params: SkuParam,
      body: { content: { 'application/json': { schema: ProductInput } }, required: true },
    },
    responses: {
      200: { description: 'The product, updated', content: { 'application/json': { schema: AdminProduct } } },
      201: { description: 'The product, created', content: { 'application/json': { schema: AdminProduct } } },
      ...problemResponses(400, 401, 403, 413, 429),
    },
  })
  router.openapi(put, async (c) => {
    const { sku } = c.req.valid('param')
    const { product, created } = await upsertProduct(deps.db, c.var.principal, sku, c.req.valid('json'))
    c.var.logger.info({ sku, created }, 'product saved')
    if (created) {
      c.header('Location', `/v1/products/${sku}`)
      return c.json(product, 201)
    }
    return c.json(product, 200)
  })

  const adjust = createRoute({
    method: 'post',
    path: '/{sku}/stock-adjustments',
    summary: 'Adjust stock on hand (admin)',
    description:
      '`delta` units are added to the stock on hand at `locationId` (the `default` location when omitted; an unknown one is 422), ' +
      'negative removes them, never below what open orders have reserved there (409). ' +
      'Idempotency-Key is required: a retry with the same key and body replays the answer.',
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: {
      params: SkuParam,
      headers: RequiredIdempotencyKeyHeader,
      body: { content: { 'application/json': { schema: StockAdjustmentBody } }, required: true },
    },
    responses: {
      201: { description: 'The adjustment, applied (or replayed)', content: { 'application/json': { schema: StockAdjustment } } },
      ...problemResponses(400, 401, 403, 404, 409, 413, 422, 429),
    },
  })
  router.openapi(adjust, async (c) => {
    const key = c.req.valid('header')['idempotency-key']
    const { sku } = c.req.valid('param')
    const { delta, reason, locationId } = c.req.valid('json')
    const { adjustment, replayed } = await adjustStock(deps.db, {
      caller: c.var.principal,
      sku,
      idempotencyKey: key,
      delta,
      reason,
      locationId,
    })
    if (replayed) c.header('Idempotent-Replayed', 'true')
    c.var.logger.info(
      { sku, locationId: adjustment.locationId, delta: adjustment.delta, onHand: adjustment.onHand, replayed },
      'stock adjusted',
    )
    return c.json(adjustment, 201)
  })

  const audit = createRoute({
    method: 'get',
    path: '/{sku}/audit',
    summary: "A product's audit trail, newest first (admin)",
    middleware: [admins, adminActionRateLimit(deps)] as const,
    ...adminOnly,
    request: { params: SkuParam, query: AuditQuery },
    responses: {
      200: {
        description: 'Who changed what, when, and why',
        content: {
          'application/json': { schema: z.object({ data: z.array(CatalogAuditEntry), nextCursor: z.string().nullable() }) },
        },
      },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  })
  router.openapi(audit, async (c) => {
    const { sku } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    const page = await readCatalogAudit(deps.db, sku, { limit, beforeId: cursor === undefined ? null : Number(cursor) })
    return c.json({ data: page.entries, nextCursor: page.nextBeforeId === null ? null : String(page.nextBeforeId) }, 200)
  })
  return router
}

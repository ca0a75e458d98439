/** The products resource: the catalog as admins change and see it, stock adjustments and the audit trail. */
import { z } from '@hono/zod-openapi'
import { text } from '../text-field.js'
import { currency, sku } from './shared-fields.js'
import { stockLocationId } from './stock-locations.js'

/** The most a unit price may be, in minor units: 999,999.99 in a two-decimal currency, the most one card charge takes. */
export const MAX_UNIT_PRICE = 99_999_999

export const SkuParam = z.object({ sku: sku.openapi({ param: { name: 'sku', in: 'path' } }) })

/** `PUT /v1/products/:sku`: the whole product; prices replace the product's prices. */
export const ProductInput = z
  .strictObject({
    name: text({ min: 1, max: 200, trim: true }),
    description: text({ max: 2000, trim: true, multiline: true }).default(''),
    active: z.boolean().default(true),
    prices: z
      .array(
        z.strictObject({
          currency,
          unitPrice: z
            .number()
            .int()
            .min(1, 'must be at least 1 minor unit: a price of 0 is not a price')
            .max(MAX_UNIT_PRICE, `must be at most ${MAX_UNIT_PRICE} minor units`)
            .openapi({ description: `Minor units, 1 to ${MAX_UNIT_PRICE}.` }),
        }),
      )
      .min(1, 'must have at least one price')
      .max(50),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>()
    body.prices.forEach((price, index) => {
      if (seen.has(price.currency)) {
        ctx.addIssue({ code: 'custom', path: ['prices', index, 'currency'], message: `${price.currency} is priced twice` })
      }
      seen.add(price.currency)
    })
  })
  .openapi('ProductInput', {
    example: {
      name: 'Classic mug',
      description: 'Stoneware, 350 ml',
      active: true,
      prices: [{ currency: 'USD', unitPrice: 1200 }],
    },
  })
export type ProductInput = z.infer<typeof ProductInput>

/** A product as admins see it: inactive ones too, and the stock split into on hand and reserved. */
export const AdminProduct = z
  .object({
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    active: z.boolean(),
    prices: z.array(z.object({ currency: z.string(), unitPrice: z.number().int() })),
    onHand: z.number().int().openapi({ description: 'Summed over every location.' }),
    reserved: z.number().int(),
    available: z.number().int(),
    locations: z.array(
      z.object({ locationId: z.string(), onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() }),
    ),
    updatedAt: z.string(),
  })
  .openapi('AdminProduct')
export type AdminProduct = z.infer<typeof AdminProduct>

export const StockAdjustmentBody = z
  .strictObject({
    delta: z
      .number()
      .int()
      .min(-1_000_000, 'must remove at most 1000000 units at once')
      .max(1_000_000, 'must add at most 1000000 units at once')
      .refine((delta) => delta !== 0, 'must not be 0: an adjustment adds or removes at least one unit')
      .openapi({ description: 'Units to add (positive) or remove (negative): never 0, at most 1,000,000 either way.' }),
    reason: text({ min: 1, max: 500, trim: true, multiline: true }),
    locationId: stockLocationId
      .optional()
      .openapi({ description: 'The stock location (see `PUT /v1/stock-locations/{id}`); `default` when omitted.' }),
  })
  .openapi('StockAdjustmentRequest', {
    example: { delta: 24, reason: 'delivery from supplier, PO 1187', locationId: 'leeds' },
  })
export type StockAdjustmentBody = z.infer<typeof StockAdjustmentBody>

export const StockAdjustment = z
  .object({
    id: z.number().int().openapi({ description: 'The audit entry that records it.' }),
    sku: z.string(),
    locationId: z.string(),
    delta: z.number().int(),
    reason: z.string(),
    onHand: z.number().int().openapi({ description: 'At this location.' }),
    reserved: z.number().int(),
    available: z.number().int(),
    at: z.string(),
  })
  .openapi('StockAdjustment')
export type StockAdjustment = z.infer<typeof StockAdjustment>

export const CatalogAuditEntry = z
  .object({
    id: z.number().int(),
    sku: z.string(),
    action: z.enum(['product_created', 'product_updated', 'stock_adjusted']),
    actor: z.string(),
    reason: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .openapi('CatalogAuditEntry')

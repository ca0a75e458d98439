/** The stock-locations resource: where stock is held. */
import { z } from '@hono/zod-openapi'
import { text } from '../text-field.js'

/** A stock location's id: lowercase letters, digits and dashes, 1 to 63 characters, starting with a letter or digit. */
export const stockLocationId = text({
  min: 1,
  max: 63,
  pattern: {
    regex: /^[a-z0-9][a-z0-9-]*$/,
    message: 'must be lowercase letters, digits and dashes, starting with a letter or digit (such as leeds-1)',
  },
})

export const StockLocationIdParam = z.object({ id: stockLocationId.openapi({ param: { name: 'id', in: 'path' } }) })

/** `PUT /v1/stock-locations/:id`: the location's name and country. */
export const StockLocationInput = z
  .strictObject({
    name: text({ min: 1, max: 200, trim: true }),
    country: text({
      min: 2,
      max: 2,
      pattern: { regex: /^[A-Z]{2}$/, message: 'must be an ISO 3166-1 alpha-2 country code such as GB' },
    }),
  })
  .openapi('StockLocationInput', { example: { name: 'Leeds warehouse', country: 'GB' } })
export type StockLocationInput = z.infer<typeof StockLocationInput>

export const StockLocation = z
  .object({
    id: z.string(),
    name: z.string(),
    country: z.string().openapi({ description: 'ISO 3166-1 alpha-2; `ZZ` (not known) for `default` until an admin sets it.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('StockLocation')

/** What the carrier sends: one tracking event of a parcel. */
import { z } from '@hono/zod-openapi'
import { carrierEventStatuses } from '../../domain/vocabulary.js'
import { text } from '../text-field.js'

export const CarrierEventBody = z
  .strictObject({
    eventId: text({ min: 1, max: 200 }),
    trackingNumber: text({ min: 1, max: 64 }),
    status: z.enum(carrierEventStatuses),
    occurredAt: z.string().datetime({ offset: true }),
    location: text({ max: 200 }).optional(),
    /** Cash on delivery: what was collected at the door, in minor units. */
    amountCollected: z.number().int().min(0).optional(),
  })
  .openapi('CarrierEvent')

/** The orders resource: placing an order, the order as clients see it, lists, cancellation and the timeline. */
import { z } from '@hono/zod-openapi'
import {
  actorTypes,
  carrierEventStatuses,
  fulfillmentStatuses,
  orderStatuses,
  paymentMethods,
  paymentStatuses,
} from '../../domain/vocabulary.js'
import { contactEmailField } from '../contact-fields.js'
import { text } from '../text-field.js'
import { PaymentAction } from './payments.js'
import { currency, sku } from './shared-fields.js'

export const ShippingAddressInput = z
  .strictObject({
    name: text({ min: 1, max: 200, trim: true }),
    line1: text({ min: 1, max: 200, trim: true }),
    line2: text({ max: 200, trim: true }).optional(),
    city: text({ min: 1, max: 100, trim: true }),
    region: text({ max: 100, trim: true }).optional(),
    postalCode: text({ min: 1, max: 20, trim: true }),
    country: text({
      min: 2,
      max: 2,
      pattern: { regex: /^[A-Z]{2}$/, message: 'must be an ISO 3166-1 alpha-2 country code such as GB' },
    }),
  })
  .openapi('ShippingAddressInput')

/** An order's lines, as a placement and an edit send them. */
const OrderLinesInput = z
  .array(z.strictObject({ sku, quantity: z.number().int().min(1).max(100) }))
  .min(1, 'must have at least one line')
  .max(50, 'must have at most 50 lines')

export const PlaceOrderBody = z
  .strictObject({
    lines: OrderLinesInput,
    paymentMethod: z.enum(paymentMethods),
    paymentToken: text({ min: 1, max: 255 }).optional(),
    currency: currency.optional(),
    shippingAddress: ShippingAddressInput,
    contactEmail: contactEmailField()
      .optional()
      .openapi({ description: "Where this order's notification mails go; the token's `email` claim when omitted." }),
  })
  .superRefine((body, ctx) => {
    if (body.paymentMethod === 'card' && !body.paymentToken) {
      ctx.addIssue({ code: 'custom', path: ['paymentToken'], message: 'is required when paymentMethod is card' })
    }
    if (body.paymentMethod !== 'card' && body.paymentToken !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['paymentToken'],
        message: `must be omitted when paymentMethod is ${body.paymentMethod}`,
      })
    }
  })
  .openapi('PlaceOrderRequest', {
    example: {
      lines: [{ sku: 'MUG-CLASSIC', quantity: 2 }],
      paymentMethod: 'card',
      paymentToken: 'tok_visa',
      currency: 'USD',
      shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    },
  })
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>

const Actor = z.object({ type: z.enum(actorTypes), id: z.string().nullable() })

/** One parcel of an order, as clients see it. */
export const Parcel = z
  .object({
    id: z.string().openapi({ description: '`shipment-<orderId>-<parcel>`: what a partial cancellation names.' }),
    parcel: z.number().int(),
    locationId: z.string().openapi({ description: 'The stock location it ships from.' }),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    status: z.enum(['PLANNED', ...carrierEventStatuses, 'LABEL_CANCELLED', 'CANCELLED']),
    events: z.array(z.object({ status: z.enum(carrierEventStatuses), occurredAt: z.string(), location: z.string().nullable() })),
  })
  .openapi('Parcel')

export const OrderView = z
  .object({
    id: z.string().uuid(),
    customerId: z.string(),
    status: z.enum(orderStatuses),
    paymentStatus: z.enum(paymentStatuses),
    fulfillmentStatus: z.enum(fulfillmentStatuses),
    paymentMethod: z.enum(paymentMethods),
    lines: z.array(
      z.object({
        sku: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        unitPrice: z.number().int(),
        lineTotal: z.number().int(),
      }),
    ),
    totals: z.object({
      currency: z.string(),
      subtotal: z.number().int(),
      shipping: z.number().int(),
      total: z.number().int(),
    }),
    shippingAddress: z.object({
      name: z.string(),
      line1: z.string(),
      line2: z.string().nullable(),
      city: z.string(),
      region: z.string().nullable(),
      postalCode: z.string(),
      country: z.string(),
    }),
    payment: z
      .object({
        authorized: z.number().int(),
        captured: z.number().int(),
        refunded: z.number().int(),
        refundableUntil: z.string().nullable(),
      })
      .openapi({
        description:
          'Money held, taken and given back, in minor units of the order currency; ' +
          'refundableUntil is when the refund window of a delivered card or PayPal order closes',
      }),
    shipment: z
      .object({ carrier: z.string(), trackingNumber: z.string() })
      .nullable()
      .openapi({ description: "The first parcel's label (see `shipments` for every parcel); null until it is bought." }),
    shipments: z.array(Parcel).openapi({
      description:
        'Every parcel of the order, in plan order: where it ships from, what it carries, its label and its tracking. ' +
        'Empty until the order is planned (or its first label bought, for orders from before parcels existed).',
    }),
    cancellation: z.object({ reason: z.string(), by: Actor, note: z.string().nullable(), at: z.string() }).nullable(),
    codConfirmationDeadline: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z
      .number()
      .int()
      .openapi({
        description:
          'Grows with every change the order records: of two answers about one order, the higher version is the newer. ' +
          'A read never answers a lower version than an earlier answer of this API did (bar idempotent replays).',
      }),
  })
  .openapi('Order')
export type OrderView = z.infer<typeof OrderView>

export const OrderPage = z.object({ data: z.array(OrderView), nextCursor: z.string().nullable() }).openapi('OrderPage')

const isoInstant = z
  .string()
  .refine(
    (text) => z.iso.date().safeParse(text).success || z.iso.datetime({ offset: true }).safeParse(text).success,
    'must be an ISO 8601 date or date-time with a time zone, such as 2026-11-21 or 2026-11-21T09:30:00Z',
  )

/** `GET /v1/orders`: a page size, the cursor of the previous page, and filters (send the same filters with every page). */
export const OrderListQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size, at most 100.' }),
    cursor: text({ max: 500 }).optional().openapi({ description: "The previous page's nextCursor." }),
    status: z.enum(orderStatuses).optional(),
    paymentStatus: z.enum(paymentStatuses).optional(),
    fulfillmentStatus: z.enum(fulfillmentStatuses).optional(),
    paymentMethod: z.enum(paymentMethods).optional(),
    customerId: text({ min: 1, max: 200 })
      .optional()
      .openapi({ description: "Admins only: one customer's orders. A customer sending it gets 400." }),
    createdFrom: isoInstant.optional().openapi({ description: 'Placed at or after (ISO 8601; a date means its midnight UTC).' }),
    createdTo: isoInstant.optional().openapi({ description: 'Placed before (ISO 8601; a date means its midnight UTC).' }),
  })
  .superRefine((query, ctx) => {
    if (query.createdFrom && query.createdTo && Date.parse(query.createdFrom) >= Date.parse(query.createdTo)) {
      ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must be after createdFrom' })
    }
  })
export type OrderListQuery = z.infer<typeof OrderListQuery>

/**
 * An order's id in a path. Left as any string on purpose: what is not an order id (a UUID) names no order and is
 * 404, like an order that is not yours; it is never stored nor sent to Temporal (`isOrderId` guards every use).
 */
export const OrderIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

/** A parcel's id as the order view's `shipments` names it: `shipment-<orderId>-<parcel>`. */
export const shipmentIdPattern = /^shipment-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([1-9][0-9]{0,3})$/

export const CancelOrderBody = z
  .strictObject({
    reason: text({ min: 1, max: 500, trim: true, multiline: true }).optional(),
    shipmentIds: z
      .array(
        text({
          min: 1,
          max: 100,
          pattern: { regex: shipmentIdPattern, message: 'must be a parcel id of the order, such as shipment-<orderId>-2' },
        }),
      )
      .min(1, 'must name at least one parcel; leave it out to cancel the whole order')
      .max(50)
      .refine((ids) => new Set(ids).size === ids.length, 'must not name a parcel twice')
      .optional()
      .openapi({
        description:
          'Only these parcels (`shipments[].id`), not yet handed over to the carrier: for an order some of whose parcels ' +
          'the carrier already has. Their lines are refunded or released. The whole order when omitted.',
      }),
  })
  .openapi('CancelOrderRequest', { example: { reason: 'ordered twice' } })

/** `POST /v1/orders/:id/edits`: the order's new full set of lines and, optionally, a new shipping address. */
export const EditOrderBody = z
  .strictObject({
    lines: OrderLinesInput,
    shippingAddress: ShippingAddressInput.optional(),
  })
  .openapi('EditOrderRequest', {
    example: {
      lines: [
        { sku: 'MUG-CLASSIC', quantity: 1 },
        { sku: 'TEE-ORGANIC-M', quantity: 1 },
      ],
    },
  })
export type EditOrderBody = z.infer<typeof EditOrderBody>

/** One entry of an order's history as clients see it: provider references and internal ids left out. */
export const OrderTimelineEntry = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.object({
      type: z.enum(actorTypes),
      id: z.string().nullable().openapi({ description: 'Shown to admins, for customer and admin actors only.' }),
    }),
    type: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .openapi('OrderTimelineEntry')
export type OrderTimelineEntry = z.infer<typeof OrderTimelineEntry>

export const OrderTimeline = z.object({ orderId: z.string().uuid(), data: z.array(OrderTimelineEntry) }).openapi('OrderTimeline')

/** A placed order, with what the customer needs to finish paying when the provider waits for them. */
export const PlacedOrderView = OrderView.extend({ paymentAction: PaymentAction.nullable() }).openapi('PlacedOrder')
export type PlacedOrderView = z.infer<typeof PlacedOrderView>

/**
 * The API's request and response schemas: they validate requests and
 * describe the OpenAPI document, so the two cannot drift apart.
 */
import { z } from '@hono/zod-openapi'
import {
  actorTypes,
  carrierEventStatuses,
  codCollectionOutcomes,
  fulfillmentStatuses,
  orderStatuses,
  paymentMethods,
  paymentStatuses,
  refundReasons,
} from '../domain/vocabulary.js'
import { text } from './text-field.js'

const sku = text({
  min: 1,
  max: 64,
  pattern: { regex: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, message: 'must be letters, digits, dot, dash or underscore' },
})

/** The currency codes ISO 4217 defines, as Node's ICU knows them (never a list of our own). */
const isoCurrencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'))
const currencyShape = /^[A-Z]{3}$/
const currency = text({
  min: 3,
  max: 3,
  pattern: { regex: currencyShape, message: 'must be an ISO 4217 currency code such as USD' },
})
  .superRefine((code, ctx) => {
    if (currencyShape.test(code) && !isoCurrencies.has(code)) {
      ctx.addIssue({ code: 'custom', message: `${code} is not an ISO 4217 currency code (such as USD, EUR or GBP)` })
    }
  })
  .openapi({ description: 'An ISO 4217 currency code, such as USD' })

/** The most a unit price may be, in minor units: 999,999.99 in a two-decimal currency, the most one card charge takes. */
export const MAX_UNIT_PRICE = 99_999_999

const idempotencyKey = text({
  min: 1,
  max: 255,
  pattern: { regex: /^[\x21-\x7e]+$/, message: 'must be printable ASCII without spaces' },
  whenMissing:
    'is required: send an Idempotency-Key header with a unique key per request, such as a UUID ' +
    '(1 to 255 printable ASCII characters, no spaces)',
}).openapi({
  param: { name: 'idempotency-key', in: 'header' },
  description:
    'A unique key per intended request (a UUID). Kept 24 h: a retry with the same request gets the stored answer ' +
    '(Idempotent-Replayed: true), another request with the key is 422, a retry while the first is in flight is 409.',
})

/** The `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header), where a retry must never act twice. */
export const RequiredIdempotencyKeyHeader = z.object({ 'idempotency-key': idempotencyKey })

/** The same header where the action is idempotent by nature; the key becomes the Temporal update id. */
export const IdempotencyKeyHeader = z.object({ 'idempotency-key': idempotencyKey.optional() })

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

export const PlaceOrderBody = z
  .strictObject({
    lines: z
      .array(z.strictObject({ sku, quantity: z.number().int().min(1).max(100) }))
      .min(1, 'must have at least one line')
      .max(50, 'must have at most 50 lines'),
    paymentMethod: z.enum(paymentMethods),
    paymentToken: text({ min: 1, max: 255 }).optional(),
    currency: currency.optional(),
    shippingAddress: ShippingAddressInput,
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
    shipment: z.object({ carrier: z.string(), trackingNumber: z.string() }).nullable(),
    cancellation: z.object({ reason: z.string(), by: Actor, note: z.string().nullable(), at: z.string() }).nullable(),
    codConfirmationDeadline: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
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

export const CancelOrderBody = z
  .strictObject({ reason: text({ min: 1, max: 500, trim: true, multiline: true }).optional() })
  .openapi('CancelOrderRequest')

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
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
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
  })
  .openapi('StockAdjustmentRequest', { example: { delta: 24, reason: 'delivery from supplier, PO 1187' } })
export type StockAdjustmentBody = z.infer<typeof StockAdjustmentBody>

export const StockAdjustment = z
  .object({
    id: z.number().int().openapi({ description: 'The audit entry that records it.' }),
    sku: z.string(),
    delta: z.number().int(),
    reason: z.string(),
    onHand: z.number().int(),
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

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
    code: z.string(),
    reason: z.string().optional(),
    errors: z
      .array(z.object({ in: z.enum(['body', 'query', 'header', 'path']), field: z.string(), reason: z.string() }))
      .optional(),
  })
  .openapi('Problem')

/** The documented problem responses, by status. */
export function problemResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(
    [...statuses, ...anyRouteProblems].map((status) => [
      status,
      { description: problemDescriptions[status] ?? 'Problem', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  ) as Record<
    S[number] | (typeof anyRouteProblems)[number],
    { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }
  >
}

/** What any route may answer when something behind it fails: documented everywhere, so clients plan for it. */
const anyRouteProblems = [500, 503, 504] as const

const problemDescriptions: Record<number, string> = {
  400: 'The request is not valid; `errors` names each field and why',
  401: 'No valid bearer token',
  403: 'The token lacks the role this needs',
  404: 'Not found (or not yours)',
  409: 'Conflicts with the current state, or the same Idempotency-Key is still in flight',
  413: 'The body is larger than the API accepts',
  422: 'Well-formed but cannot be done (see `errors`)',
  429: 'Too many requests; retry after `Retry-After` seconds',
  500: 'An internal error; quote `requestId` to support',
  503: 'A service the API needs is unavailable; retry',
  504: 'The request took too long; retry with the same Idempotency-Key',
}

export const PaymentAction = z
  .object({
    provider: z.enum(['stripe', 'paypal']),
    reference: z.string().openapi({ description: 'The PaymentIntent id (Stripe) or the order id (PayPal)' }),
    clientSecret: z
      .string()
      .nullable()
      .openapi({ description: 'Stripe: pass to stripe.handleNextAction() to complete 3-D Secure' }),
    approvalUrl: z.string().nullable().openapi({ description: 'PayPal: send the customer here to approve the payment' }),
  })
  .openapi('PaymentAction')
export type PaymentAction = z.infer<typeof PaymentAction>

/** A placed order, with what the customer needs to finish paying when the provider waits for them. */
export const PlacedOrderView = OrderView.extend({ paymentAction: PaymentAction.nullable() }).openapi('PlacedOrder')
export type PlacedOrderView = z.infer<typeof PlacedOrderView>

export const RefundBody = z
  .strictObject({
    amount: z
      .number()
      .int()
      .min(1)
      .openapi({ description: 'Minor units of the order currency; at most what was captured and not yet refunded' }),
    reason: z.enum(refundReasons),
    note: text({ min: 1, max: 500, trim: true, multiline: true })
      .optional()
      .openapi({ description: 'For the timeline; staff only' }),
  })
  .openapi('RefundRequest')
export type RefundBody = z.infer<typeof RefundBody>

export const CodSettlementBody = z
  .strictObject({
    amount: z
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: 'What the carrier paid over, in minor units; what it collected when omitted' }),
  })
  .openapi('CodSettlementRequest')

export const CodCollection = z
  .object({
    orderId: z.string(),
    currency: z.string(),
    expectedAmount: z.number().int(),
    collectedAmount: z.number().int().nullable(),
    outcome: z.enum(codCollectionOutcomes),
    deliveredAt: z.string(),
    settledAt: z.string().nullable(),
    settledBy: z.string().nullable(),
    settledAmount: z.number().int().nullable(),
  })
  .openapi('CodCollection')

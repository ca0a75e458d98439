/**
 * The API's request and response schemas: they validate requests and
 * describe the OpenAPI document, so the two cannot drift apart.
 */
import { z } from '@hono/zod-openapi'
import { carrierEventStatuses, paymentStatuses } from '../workflows/order-types.js'

const sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dot, dash or underscore')
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as USD')

export const ShippingAddressInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    line1: z.string().trim().min(1).max(200),
    line2: z.string().trim().max(200).optional(),
    city: z.string().trim().min(1).max(100),
    region: z.string().trim().max(100).optional(),
    postalCode: z.string().trim().min(1).max(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as GB'),
  })
  .openapi('ShippingAddressInput')

export const PlaceOrderBody = z
  .strictObject({
    lines: z
      .array(z.strictObject({ sku, quantity: z.number().int().min(1).max(100) }))
      .min(1, 'must have at least one line')
      .max(50, 'must have at most 50 lines'),
    paymentMethod: z.enum(['card', 'paypal', 'cod']),
    paymentToken: z.string().min(1).max(255).optional(),
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

const Actor = z.object({ type: z.enum(['customer', 'admin', 'system', 'carrier']), id: z.string().nullable() })

export const OrderView = z
  .object({
    id: z.string().uuid(),
    customerId: z.string(),
    status: z.enum(['PENDING', 'AWAITING_CONFIRMATION', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'RETURNED']),
    paymentStatus: z.enum(paymentStatuses),
    fulfillmentStatus: z.enum(['UNFULFILLED', ...carrierEventStatuses, 'LABEL_CANCELLED']),
    paymentMethod: z.enum(['card', 'paypal', 'cod']),
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
    shipment: z.object({ carrier: z.string(), trackingNumber: z.string() }).nullable(),
    cancellation: z.object({ reason: z.string(), by: Actor, note: z.string().nullable(), at: z.string() }).nullable(),
    codConfirmationDeadline: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Order')
export type OrderView = z.infer<typeof OrderView>

export const OrderPage = z.object({ data: z.array(OrderView), nextCursor: z.string().nullable() }).openapi('OrderPage')

export const OrderIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

export const CancelOrderBody = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .openapi('CancelOrderRequest')

export const CarrierEventBody = z
  .strictObject({
    eventId: z.string().min(1).max(200),
    trackingNumber: z.string().min(1).max(64),
    status: z.enum(carrierEventStatuses),
    occurredAt: z.string().datetime({ offset: true }),
    location: z.string().max(200).optional(),
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
    statuses.map((status) => [status, { description: 'Problem', content: { 'application/problem+json': { schema: Problem } } }]),
  ) as Record<S[number], { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }>
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
    outcome: z.enum(['collected', 'mismatch', 'not_reported']),
    deliveredAt: z.string(),
    settledAt: z.string().nullable(),
    settledBy: z.string().nullable(),
    settledAmount: z.number().int().nullable(),
  })
  .openapi('CodCollection')

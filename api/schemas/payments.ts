/** Payments of an order: the action a customer must finish, refunds, and cash-on-delivery collections. */
import { z } from '@hono/zod-openapi'
import { codCollectionOutcomes, refundReasons } from '../../domain/vocabulary.js'
import { text } from '../text-field.js'

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

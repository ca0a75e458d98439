/** The returns resource: asking to send items back, an admin's decisions and receipt, the return as clients see it, COD refunds owed. */
import { z } from '@hono/zod-openapi'
import { returnReasons, returnStatuses } from '../../domain/returns.js'
import { text } from '../text-field.js'
import { sku } from './shared-fields.js'

const quantity = z.number().int().min(1).max(100)
const note = text({ min: 1, max: 500, trim: true, multiline: true })

export const RequestReturnBody = z
  .strictObject({
    lines: z
      .array(z.strictObject({ sku, quantity, reason: z.enum(returnReasons) }))
      .min(1, 'must have at least one line')
      .max(50, 'must have at most 50 lines'),
    replacementLines: z
      .array(z.strictObject({ sku, quantity }))
      .min(1, 'must have at least one line when given')
      .max(50, 'must have at most 50 lines')
      .optional()
      .openapi({
        description:
          'An exchange: these lines ship instead of money once the return is received (at most the value of what comes back; the difference is refunded).',
      }),
    note: note.optional().openapi({ description: "The customer's words." }),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>()
    body.lines.forEach((line, index) => {
      if (seen.has(line.sku)) ctx.addIssue({ code: 'custom', path: ['lines', index, 'sku'], message: 'is listed twice' })
      seen.add(line.sku)
    })
  })
  .openapi('ReturnRequest', {
    example: { lines: [{ sku: 'MUG-CLASSIC', quantity: 1, reason: 'damaged' }], note: 'The handle came off' },
  })
export type RequestReturnBody = z.infer<typeof RequestReturnBody>

export const ReturnDecisionBody = z.strictObject({ note: note.optional() }).openapi('ReturnDecision')

export const ReturnReceiptBody = z
  .strictObject({
    lines: z
      .array(
        z.strictObject({
          sku,
          quantity,
          resellable: z.boolean().openapi({ description: 'Back on the shelf (true) or written off (false).' }),
        }),
      )
      .min(1, 'must have at least one line')
      .max(100, 'must have at most 100 lines'),
    note: note.optional(),
  })
  .openapi('ReturnReceipt', {
    example: {
      lines: [
        { sku: 'MUG-CLASSIC', quantity: 1, resellable: true },
        { sku: 'TEE-BLACK-M', quantity: 1, resellable: false },
      ],
    },
  })
export type ReturnReceiptBody = z.infer<typeof ReturnReceiptBody>

export const CodRefundSettlementBody = z
  .strictObject({
    reference: text({ min: 1, max: 200, trim: true }).openapi({ description: "The bank transfer's reference." }),
    note: note.optional(),
  })
  .openapi('CodRefundSettlement')

const Parcel = z.object({ carrier: z.string(), trackingNumber: z.string() })

export const ReturnView = z
  .object({
    id: z.string().uuid(),
    orderId: z.string().uuid(),
    status: z.enum(returnStatuses),
    reason: z.enum(returnReasons).openapi({
      description: "The return's reason as a whole: the first line's that is the shop's fault, else the first line's.",
    }),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), reason: z.enum(returnReasons) })),
    note: z.string().nullable(),
    label: Parcel.nullable().openapi({
      description: 'The return label, once approved: the customer hands the parcel over with it.',
    }),
    shipBy: z
      .string()
      .nullable()
      .openapi({ description: 'An approved return closes by itself unless the carrier has the parcel by then.' }),
    received: z.array(z.object({ sku: z.string(), quantity: z.number().int(), resellable: z.boolean() })),
    refund: z
      .object({ amount: z.number().int(), currency: z.string(), shipping: z.number().int() })
      .nullable()
      .openapi({ description: "Minor units, shipping included (cash on delivery: owed, see the order's codRefunds)." }),
    exchange: z
      .object({
        lines: z.array(
          z.object({
            sku: z.string(),
            name: z.string(),
            quantity: z.number().int(),
            unitPrice: z.number().int(),
            lineTotal: z.number().int(),
          }),
        ),
        difference: z.number().int(),
        parcel: Parcel.nullable(),
      })
      .nullable(),
    restocked: z.number().int(),
    writtenOff: z.number().int(),
    requestedAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Return')
export type ReturnView = z.infer<typeof ReturnView>

export const ReturnList = z.object({ orderId: z.string().uuid(), data: z.array(ReturnView) }).openapi('ReturnList')

export const CodRefundView = z
  .object({
    id: z.string(),
    orderId: z.string().uuid(),
    returnId: z.string().nullable(),
    amount: z.number().int(),
    currency: z.string(),
    owedSince: z.string(),
    settledAt: z.string().nullable(),
    settledBy: z.string().nullable(),
    reference: z.string().nullable(),
  })
  .openapi('CodRefundOwed')
export type CodRefundView = z.infer<typeof CodRefundView>

export const CodRefundList = z.object({ orderId: z.string().uuid(), data: z.array(CodRefundView) }).openapi('CodRefundList')

/** A return's id in a path: anything that is not a UUID names no return (404). */
export const ReturnIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

export const CodRefundParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
  refundId: text({ min: 1, max: 64 }).openapi({ param: { name: 'refundId', in: 'path' }, description: '`cod-refund-<n>`' }),
})

import type { Money } from '../../workflows/order-types.js'
import { businessRefusal } from '../business-refusal.js'
import { type PaymentProvider, PaymentDeclinedError } from './payment-provider.js'

export interface PaymentDeps {
  payments: PaymentProvider
}

/** The idempotency key of one payment step of one order: never random, never per run. */
export function paymentIdempotencyKey(orderId: string, step: 'authorize' | 'capture' | 'void' | 'refund'): string {
  return `order-${orderId}-${step}`
}

export function createPaymentActivities({ payments }: PaymentDeps) {
  return {
    /** Authorizes the order total; a decline is a business refusal carrying the decline code. */
    async authorizePayment(input: { orderId: string; amount: Money; token: string }) {
      try {
        const result = await payments.authorize({ ...input, idempotencyKey: paymentIdempotencyKey(input.orderId, 'authorize') })
        return { provider: payments.name, ...result }
      } catch (error) {
        if (error instanceof PaymentDeclinedError) throw businessRefusal('PaymentDeclined', error.message, error.declineCode)
        throw error
      }
    },

    capturePayment: (input: { orderId: string; reference: string; amount: Money }) =>
      payments.capture({ ...input, idempotencyKey: paymentIdempotencyKey(input.orderId, 'capture') }),

    voidPayment: (input: { orderId: string; reference: string }) =>
      payments.void({ ...input, idempotencyKey: paymentIdempotencyKey(input.orderId, 'void') }),

    refundPayment: (input: { orderId: string; reference: string; amount: Money }) =>
      payments.refund({ ...input, idempotencyKey: paymentIdempotencyKey(input.orderId, 'refund') }),
  }
}

import type { OrderState, PlaceOrderInput } from './order-types.js'

/**
 * The state of an order the moment it is placed: priced from the quote,
 * nothing reserved, paid or shipped yet. The workflow starts from it and the
 * API records it, so both tell the same story from the first second.
 */
export function placedOrder(input: PlaceOrderInput): OrderState {
  return {
    orderId: input.orderId,
    customerId: input.customerId,
    status: 'PENDING',
    paymentStatus: 'PENDING',
    fulfillmentStatus: 'UNFULFILLED',
    paymentMethod: input.payment.method,
    lines: input.quote.lines,
    totals: input.quote.totals,
    shippingAddress: input.shippingAddress,
    payment: {
      method: input.payment.method,
      provider: null,
      reference: null,
      authorized: 0,
      captured: 0,
      refunded: 0,
      declineCode: null,
    },
    shipment: null,
    cancellation: null,
    codConfirmationDeadline: null,
    timeline: [],
    createdAt: input.placedAt,
    updatedAt: input.placedAt,
    version: 0,
  }
}

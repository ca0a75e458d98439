import { describe, expect, it } from 'vitest'
import type { PlaceOrderInput } from '../../domain/order-types.js'
import { placedOrder } from '../../domain/placed-order.js'
import {
  currentDetails,
  linesInWords,
  moneyInWords,
  momentInWords,
  orderDetails,
  orderOverview,
  orderSummary,
  stepSummaries,
  timerSummaries,
} from '../../domain/order-summaries.js'
import { updateInputExamples, updateInputProblem } from '../../workflows/update-inputs.js'

const input: PlaceOrderInput = {
  orderId: 'a1b2',
  customerId: 'cust_42',
  lines: [{ sku: 'MUG-CLASSIC', quantity: 2 }],
  currency: 'USD',
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 St James Sq',
    line2: null,
    city: 'London',
    region: null,
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
  payment: { method: 'card', token: 'tok_visa', provider: 'stripe' },
  quote: {
    lines: [{ sku: 'MUG-CLASSIC', name: 'Classic mug', quantity: 2, unitPrice: 1200, lineTotal: 2400 }],
    totals: { currency: 'USD', subtotal: 2400, shipping: 599, total: 2999 },
  },
  placedAt: '2026-12-01T09:00:00.000Z',
  codConfirmationTimeoutMs: 86_400_000,
}

describe('an order in words', () => {
  it('says money in major units of its currency, moments in UTC to the minute, and the first lines', () => {
    expect(moneyInWords({ amount: 2999, currency: 'USD' })).toBe('USD 29.99')
    expect(moneyInWords({ amount: 500, currency: 'JPY' })).toBe('JPY 500')
    expect(moneyInWords({ amount: 1234, currency: 'KWD' })).toBe('KWD 1.234')
    expect(momentInWords('2026-12-02T09:00:00.000Z')).toBe('2 Dec 09:00 UTC')
    const lines = ['A', 'B', 'C', 'D', 'E'].map((sku) => ({ sku, quantity: 1 }))
    expect(linesInWords(lines)).toBe('1 × A, 1 × B, 1 × C and 2 more lines')
  })

  it('gives the workflow a summary, details and current details support recognise it by', () => {
    expect(orderSummary(input)).toBe('2 × MUG-CLASSIC · USD 29.99 · card with Stripe · customer cust_42')
    expect(orderDetails(input)).toContain('- 2 × MUG-CLASSIC (Classic mug) at USD 12.00: USD 24.00')
    expect(orderDetails(input)).toContain('**total USD 29.99**')
    expect(orderDetails(input)).not.toContain('12 St James Sq')
    const state = { ...placedOrder(input), status: 'AWAITING_CONFIRMATION' as const }
    state.codConfirmationDeadline = '2026-12-02T09:00:00.000Z'
    expect(currentDetails(state).split('\n')).toEqual([
      '**AWAITING_CONFIRMATION** · payment PENDING · fulfillment UNFULFILLED',
      'Total USD 29.99 · PENDING · card',
      'Waiting for an admin to confirm cash on delivery until 2 Dec 09:00 UTC',
    ])
    expect(JSON.stringify(orderOverview(state)).length).toBeLessThan(400)
  })

  it('names each step and timer in the order terms', () => {
    const total = { amount: 2999, currency: 'USD' }
    expect(stepSummaries.reserveStock(input.lines)).toBe('Reserve 2 × MUG-CLASSIC')
    expect(stepSummaries.authorizePayment(total, 'stripe')).toBe('Authorize USD 29.99 with Stripe')
    expect(stepSummaries.capturePayment(total, 'paypal')).toBe('Capture USD 29.99 at hand-over with PayPal')
    expect(timerSummaries.codConfirmation('2026-12-02T09:00:00.000Z')).toBe('Wait for COD confirmation until 2 Dec 09:00 UTC')
    expect(timerSummaries.refundWindowCloses('2026-12-31T09:00:00.000Z')).toBe('Refund window closes 31 Dec 09:00 UTC')
  })
})

describe('an update input of the wrong shape', () => {
  it('is named with the field at fault and the input expected; the documented inputs pass', () => {
    expect(updateInputProblem('confirmCashOnDelivery', undefined)).toBe(
      `confirmCashOnDelivery takes one JSON object, got nothing; send --input '${updateInputExamples.confirmCashOnDelivery}'`,
    )
    expect(updateInputProblem('cancelOrder', { actor: { type: 'admin', id: 'x' } })).toMatch(
      /^cancelOrder: note: must be a string or null; send --input/,
    )
    expect(
      updateInputProblem('refundPayment', { actor: { type: 'admin', id: 'x' }, amount: '5', reason: 'damaged', note: null }),
    ).toMatch(/^refundPayment: amount: must be a number/)
    expect(
      updateInputProblem('refundPayment', { actor: { type: 'admin', id: 'x' }, amount: 5, reason: 'oops', note: null }),
    ).toMatch(/reason: must be one of returned_items, damaged, goodwill, other/)
    for (const [name, example] of Object.entries(updateInputExamples))
      expect(updateInputProblem(name as keyof typeof updateInputExamples, JSON.parse(example))).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import {
  type AfterSalesOrder,
  type AfterSalesState,
  type ReturnState,
  afterSalesOrderOf,
  receiptRefusal,
  refundOfReceipt,
  returnRequestRefusal,
} from '../../domain/returns.js'
import type { OrderState } from '../../domain/order-types.js'

const deliveredAt = '2026-12-01T10:00:00.000Z'
const order: AfterSalesOrder = {
  orderId: 'o1',
  customerId: 'cust_1',
  status: 'DELIVERED',
  lines: [
    { sku: 'SHIRT', name: 'Shirt', quantity: 2, unitPrice: 2_500, lineTotal: 5_000 },
    { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1_000, lineTotal: 1_000 },
  ],
  totals: { currency: 'USD', subtotal: 6_000, shipping: 599, total: 6_599 },
  shippingAddress: { name: 'A', line1: 'l', line2: null, city: 'c', region: null, postalCode: 'p', country: 'GB' },
  payment: { method: 'card', provider: 'sandbox', reference: 'ref', captured: 6_599, refunded: 0 },
  deliveredAt,
  refundsMade: 0,
  timelineSeq: 9,
}

function sales(returns: ReturnState[] = []): AfterSalesState {
  return {
    orderId: 'o1',
    customerId: 'cust_1',
    currency: 'USD',
    returns,
    refunds: [],
    codRefundsOwed: [],
    windowEndsAt: '2026-12-31T10:00:00.000Z',
    refundable: 6_599,
    closed: false,
    version: 1,
  }
}

function aReturn(id: string, over: Partial<ReturnState>): ReturnState {
  return {
    id,
    orderId: 'o1',
    status: 'REQUESTED',
    lines: [],
    note: null,
    label: null,
    shipBy: null,
    received: [],
    refund: null,
    exchange: null,
    restocked: 0,
    writtenOff: 0,
    requestedAt: deliveredAt,
    updatedAt: deliveredAt,
    timeline: [],
    ...over,
  }
}

const now = new Date('2026-12-02T10:00:00.000Z').getTime()
const customer = { type: 'customer' as const, id: 'cust_1' }

describe('a return request', () => {
  const ask = (state: AfterSalesState, lines: ReturnState['lines'], at = now) =>
    returnRequestRefusal(state, order, { returnId: 'r-new', actor: customer, lines }, at)

  it('is taken for delivered lines within the window', () => {
    expect(ask(sales(), [{ sku: 'SHIRT', quantity: 2, reason: 'damaged' }])).toBeNull()
  })

  it('never asks more than delivered less what is already being returned', () => {
    const open = aReturn('r1', { lines: [{ sku: 'SHIRT', quantity: 1, reason: 'other' }] })
    expect(ask(sales([open]), [{ sku: 'SHIRT', quantity: 2, reason: 'other' }])).toBe('more_than_delivered')
    expect(ask(sales([open]), [{ sku: 'SHIRT', quantity: 1, reason: 'other' }])).toBeNull()
    // A rejected return, or one closed before anything arrived, frees its units.
    const rejected = { ...open, status: 'REJECTED' as const }
    const expired = { ...open, status: 'CLOSED' as const }
    expect(ask(sales([rejected, expired]), [{ sku: 'SHIRT', quantity: 2, reason: 'other' }])).toBeNull()
  })

  it('is refused past the window, for an undelivered order, another customer, an unknown sku or a bad line', () => {
    expect(ask(sales(), [{ sku: 'SHIRT', quantity: 1, reason: 'other' }], Date.parse('2027-01-01T00:00:00Z'))).toBe(
      'return_window_closed',
    )
    expect(
      returnRequestRefusal(
        sales(),
        { ...order, status: 'CANCELLED', deliveredAt: null },
        {
          returnId: 'r',
          actor: customer,
          lines: [{ sku: 'MUG', quantity: 1, reason: 'other' }],
        },
        now,
      ),
    ).toBe('not_delivered')
    expect(
      returnRequestRefusal(
        sales(),
        order,
        { returnId: 'r', actor: { type: 'customer', id: 'cust_2' }, lines: [{ sku: 'MUG', quantity: 1, reason: 'other' }] },
        now,
      ),
    ).toBe('not_allowed')
    expect(ask(sales(), [{ sku: 'HAT', quantity: 1, reason: 'other' }])).toBe('unknown_sku')
    expect(ask(sales(), [{ sku: 'MUG', quantity: 0, reason: 'other' }])).toBe('invalid_input')
    expect(ask(sales(), [{ sku: 'MUG', quantity: 1, reason: 'bored' as 'other' }])).toBe('invalid_input')
  })
})

describe('a receipt', () => {
  it('takes at most what the return asked for, once it is on its way', () => {
    const ret = aReturn('r1', { status: 'IN_TRANSIT', lines: [{ sku: 'SHIRT', quantity: 1, reason: 'other' }] })
    expect(receiptRefusal(ret, [{ sku: 'SHIRT', quantity: 1, resellable: true }])).toBeNull()
    expect(receiptRefusal(ret, [{ sku: 'SHIRT', quantity: 2, resellable: true }])).toBe('received_more_than_returned')
    expect(receiptRefusal({ ...ret, status: 'REQUESTED' }, [])).toBe('not_receivable')
  })
})

describe('the refund of a received return', () => {
  it('is the lines that arrived at the price paid; shipping only for the shop’s fault or the whole order, once', () => {
    const mug = aReturn('r1', {
      status: 'RECEIVED',
      lines: [{ sku: 'MUG', quantity: 1, reason: 'no_longer_needed' }],
      received: [{ sku: 'MUG', quantity: 1, resellable: true }],
    })
    expect(refundOfReceipt(order, sales([mug]), mug)).toEqual({ lines: 1_000, shipping: 0 })
    const damaged = { ...mug, lines: [{ sku: 'MUG', quantity: 1, reason: 'damaged' as const }] }
    expect(refundOfReceipt(order, sales([damaged]), damaged)).toEqual({ lines: 1_000, shipping: 599 })
    const shirts = aReturn('r2', {
      status: 'RECEIVED',
      lines: [{ sku: 'SHIRT', quantity: 2, reason: 'other' }],
      received: [{ sku: 'SHIRT', quantity: 2, resellable: false }],
    })
    const refundedMug = { ...mug, status: 'REFUNDED' as const, refund: { amount: 1_000, currency: 'USD', shipping: 0 } }
    expect(refundOfReceipt(order, sales([refundedMug, shirts]), shirts)).toEqual({ lines: 5_000, shipping: 599 })
    const shippingGone = { ...refundedMug, refund: { amount: 1_599, currency: 'USD', shipping: 599 } }
    expect(refundOfReceipt(order, sales([shippingGone, shirts]), shirts)).toEqual({ lines: 5_000, shipping: 0 })
  })
})

describe("the after-sales workflow's input", () => {
  it("is read from the order's state: the carrier's delivery time, the refunds made, the last timeline seq", () => {
    const state = {
      ...order,
      paymentStatus: 'PAID',
      fulfillmentStatus: 'DELIVERED',
      paymentMethod: 'card',
      payment: { ...order.payment, declineCode: null, authorized: 6_599 },
      shipment: null,
      cancellation: null,
      codConfirmationDeadline: null,
      createdAt: deliveredAt,
      updatedAt: '2026-12-01T11:00:00.000Z',
      version: 7,
      timeline: [
        {
          seq: 8,
          at: deliveredAt,
          actor: { type: 'carrier', id: 'sim' },
          type: 'carrier_event',
          message: '',
          data: { status: 'DELIVERED' },
        },
        {
          seq: 9,
          at: '2026-12-01T10:30:00.000Z',
          actor: { type: 'admin', id: 'a' },
          type: 'payment_refunded',
          message: '',
          data: null,
        },
      ],
    } as unknown as OrderState
    expect(afterSalesOrderOf(state)).toMatchObject({ deliveredAt, refundsMade: 1, timelineSeq: 9, payment: { captured: 6_599 } })
  })
})

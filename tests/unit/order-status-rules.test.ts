import { describe, expect, it } from 'vitest'
import { carrierEventEffect } from '../../domain/carrier-progress.js'
import {
  cancellationRefusal,
  codConfirmationRefusal,
  refundRefusal,
  refundRefusalDetail,
  requestedCancellationReason,
} from '../../domain/order-rules.js'
import type { CarrierEvent, OrderState, ShipmentState } from '../../domain/order-types.js'

const shipment = (progress: number): ShipmentState => ({
  carrier: 'sim',
  trackingNumber: 'T1',
  labelId: 'L1',
  progress,
  lastEventAt: null,
})
const event = (status: CarrierEvent['status'], eventId = `e-${status}`): CarrierEvent => ({
  eventId,
  trackingNumber: 'T1',
  status,
  occurredAt: '2026-11-21T10:00:00Z',
  location: null,
})

describe('carrier events', () => {
  it('ignore an event id already applied', () => {
    expect(carrierEventEffect(shipment(1), new Set(['e-PICKED_UP']), event('PICKED_UP'))).toEqual({ kind: 'duplicate' })
  })

  it('never move a parcel backwards', () => {
    expect(carrierEventEffect(shipment(3), new Set(), event('PICKED_UP'))).toEqual({ kind: 'stale' })
    expect(carrierEventEffect(shipment(3), new Set(), event('IN_TRANSIT', 'again'))).toEqual({ kind: 'stale' })
  })

  it('mark the hand-over once, however far the first event after the label jumps', () => {
    expect(carrierEventEffect(shipment(1), new Set(), event('PICKED_UP'))).toEqual({
      kind: 'advance',
      progress: 2,
      handedOver: true,
      delivered: false,
      returned: false,
    })
    expect(carrierEventEffect(shipment(1), new Set(), event('DELIVERED'))).toMatchObject({ handedOver: true, delivered: true })
    expect(carrierEventEffect(shipment(2), new Set(), event('OUT_FOR_DELIVERY'))).toMatchObject({
      handedOver: false,
      progress: 4,
    })
  })

  it('flag an exception without moving the parcel, and ignore anything after the journey ends', () => {
    expect(carrierEventEffect(shipment(3), new Set(), event('EXCEPTION'))).toEqual({ kind: 'exception' })
    expect(carrierEventEffect(shipment(3), new Set(), event('RETURNED_TO_SENDER'))).toMatchObject({
      kind: 'advance',
      returned: true,
    })
    expect(carrierEventEffect(shipment(5), new Set(), event('RETURNED_TO_SENDER'))).toEqual({ kind: 'stale' })
  })
})

function order(overrides: Partial<OrderState>): OrderState {
  return {
    orderId: 'o1',
    customerId: 'cust_1',
    status: 'CONFIRMED',
    paymentStatus: 'AUTHORIZED',
    fulfillmentStatus: 'LABEL_CREATED',
    paymentMethod: 'card',
    lines: [],
    totals: { currency: 'USD', subtotal: 0, shipping: 0, total: 0 },
    shippingAddress: { name: 'A', line1: 'B', line2: null, city: 'C', region: null, postalCode: 'D', country: 'GB' },
    payment: { method: 'card', provider: null, reference: null, authorized: 0, captured: 0, refunded: 0, declineCode: null },
    shipment: shipment(1),
    cancellation: null,
    codConfirmationDeadline: null,
    timeline: [],
    createdAt: '',
    updatedAt: '',
    version: 1,
    ...overrides,
  }
}
const owner = { type: 'customer' as const, id: 'cust_1' }
const admin = { type: 'admin' as const, id: 'admin_1' }
const operator = { type: 'operator' as const, id: 'support-ana' }

describe('cancellation', () => {
  it('is open to the owner and admins until the carrier has the parcel', () => {
    for (const status of ['PENDING', 'AWAITING_CONFIRMATION', 'CONFIRMED'] as const) {
      expect(cancellationRefusal(order({ status }), owner)).toBeNull()
      expect(cancellationRefusal(order({ status }), admin)).toBeNull()
    }
  })

  it('is refused once shipped, delivered or returned', () => {
    expect(cancellationRefusal(order({ status: 'SHIPPED' }), owner)).toBe('already_shipped')
    expect(cancellationRefusal(order({ status: 'CONFIRMED', shipment: shipment(2) }), admin)).toBe('already_shipped')
    expect(cancellationRefusal(order({ status: 'DELIVERED' }), admin)).toBe('already_delivered')
    expect(cancellationRefusal(order({ status: 'RETURNED' }), admin)).toBe('already_returned')
  })

  it('is open to an operator cancelling in Temporal until the carrier has the parcel, and too late after', () => {
    expect(cancellationRefusal(order({ status: 'AWAITING_CONFIRMATION' }), operator)).toBeNull()
    expect(cancellationRefusal(order({ status: 'CONFIRMED' }), operator)).toBeNull()
    expect(cancellationRefusal(order({ status: 'CONFIRMED', shipment: shipment(2) }), operator)).toBe('already_shipped')
    expect(cancellationRefusal(order({ status: 'DELIVERED' }), operator)).toBe('already_delivered')
  })

  it("is for the asker's reason: the customer's, an admin's or an operator's request", () => {
    expect(requestedCancellationReason(owner)).toBe('customer_request')
    expect(requestedCancellationReason(admin)).toBe('admin_request')
    expect(requestedCancellationReason(operator)).toBe('operator_request')
  })

  it('is refused to anyone else, and idempotent once cancelled', () => {
    expect(cancellationRefusal(order({}), { type: 'customer', id: 'cust_2' })).toBe('not_owner')
    expect(cancellationRefusal(order({}), { type: 'carrier', id: 'sim' })).toBe('not_owner')
    expect(cancellationRefusal(order({ status: 'CANCELLED' }), owner)).toBeNull()
  })
})

describe('cash-on-delivery confirmation', () => {
  it('is for admins, on COD orders awaiting confirmation', () => {
    const cod = order({ paymentMethod: 'cod', status: 'AWAITING_CONFIRMATION' })
    expect(codConfirmationRefusal(cod, admin)).toBeNull()
    expect(codConfirmationRefusal(cod, owner)).toBe('not_admin')
    expect(codConfirmationRefusal(order({ status: 'AWAITING_CONFIRMATION' }), admin)).toBe('not_cash_on_delivery')
    expect(codConfirmationRefusal(order({ paymentMethod: 'cod', status: 'CANCELLED' }), admin)).toBe('not_awaiting_confirmation')
  })

  it('is idempotent once confirmed', () => {
    const confirmedEntry = { seq: 1, at: '', actor: admin, type: 'cod_confirmed', message: '', data: null }
    expect(
      codConfirmationRefusal(order({ paymentMethod: 'cod', status: 'CONFIRMED', timeline: [confirmedEntry] }), admin),
    ).toBeNull()
    expect(codConfirmationRefusal(order({ paymentMethod: 'cod', status: 'CONFIRMED' }), admin)).toBe('not_awaiting_confirmation')
  })
})

describe('refunds', () => {
  const paid = (captured: number, refunded = 0, overrides: Partial<OrderState> = {}) =>
    order({
      status: 'SHIPPED',
      paymentStatus: 'PAID',
      payment: {
        method: 'card',
        provider: 'stripe',
        reference: 'pi_1',
        authorized: captured,
        captured,
        refunded,
        declineCode: null,
      },
      ...overrides,
    })

  it('give back up to what was captured, less what is refunded or already asked for', () => {
    expect(refundRefusal(paid(1_000), { actor: admin, amount: 1_000 }, 0)).toBeNull()
    expect(refundRefusal(paid(1_000, 400), { actor: admin, amount: 600 }, 0)).toBeNull()
    expect(refundRefusal(paid(1_000, 400), { actor: admin, amount: 601 }, 0)).toBe('exceeds_refundable')
    expect(refundRefusal(paid(1_000, 400), { actor: admin, amount: 300 }, 300)).toBeNull()
    expect(refundRefusal(paid(1_000, 400), { actor: admin, amount: 301 }, 300)).toBe('exceeds_refundable')
    expect(refundRefusal(paid(1_000, 0, { status: 'DELIVERED' }), { actor: admin, amount: 1 }, 0)).toBeNull()
  })

  it('refused for exceeding what is left say how much is still refundable', () => {
    expect(refundRefusalDetail(paid(1_000, 400), 'exceeds_refundable', 0)).toBe('600 (USD minor units) is still refundable')
    expect(refundRefusalDetail(paid(1_000, 400), 'exceeds_refundable', 300)).toBe('300 (USD minor units) is still refundable')
    expect(refundRefusalDetail(paid(1_000, 400), 'not_admin', 0)).toBeUndefined()
    expect(refundRefusalDetail(paid(1_000, 400), null, 0)).toBeUndefined()
  })

  it('are for admins, on captured card or PayPal money, of a positive whole amount', () => {
    expect(refundRefusal(paid(1_000), { actor: owner, amount: 100 }, 0)).toBe('not_admin')
    expect(refundRefusal(paid(0, 0, { status: 'CONFIRMED', paymentStatus: 'AUTHORIZED' }), { actor: admin, amount: 1 }, 0)).toBe(
      'not_refundable',
    )
    expect(refundRefusal(paid(1_000, 0, { paymentMethod: 'cod' }), { actor: admin, amount: 1 }, 0)).toBe('not_refundable')
    expect(refundRefusal(paid(1_000, 1_000, { status: 'RETURNED' }), { actor: admin, amount: 1 }, 0)).toBe('order_closed')
    for (const amount of [0, -5, 1.5, Number.NaN]) {
      expect(refundRefusal(paid(1_000), { actor: admin, amount }, 0)).toBe('invalid_amount')
    }
  })
})

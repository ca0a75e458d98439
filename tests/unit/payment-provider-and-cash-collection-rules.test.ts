import { describe, expect, it } from 'vitest'
import { codCollectionOutcome, paymentProviderOf } from '../../domain/order-payment.js'

describe('the provider an order pays through', () => {
  it('is the card provider named at placement, the sandbox when none was named', () => {
    expect(paymentProviderOf({ method: 'card', token: 'tok_visa' })).toBe('sandbox')
    expect(paymentProviderOf({ method: 'card', token: 'tok_visa', provider: 'stripe' })).toBe('stripe')
  })

  it('is PayPal for PayPal orders and none for cash on delivery', () => {
    expect(paymentProviderOf({ method: 'paypal' })).toBe('paypal')
    expect(paymentProviderOf({ method: 'cod' })).toBeNull()
  })
})

describe('cash collected at the door', () => {
  it('is collected when the carrier reports the amount expected', () => {
    expect(codCollectionOutcome(2_599, 2_599)).toBe('collected')
  })

  it('is a mismatch when the carrier reports another amount, even zero', () => {
    expect(codCollectionOutcome(2_599, 2_500)).toBe('mismatch')
    expect(codCollectionOutcome(2_599, 0)).toBe('mismatch')
  })

  it('is not reported when the carrier says nothing about the money', () => {
    expect(codCollectionOutcome(2_599, null)).toBe('not_reported')
  })
})

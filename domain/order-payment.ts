import type { PaymentInstruction } from './order-types.js'
import type { CodCollectionOutcome, PaymentProviderName } from './vocabulary.js'

/**
 * The provider an order's payment goes through: the card provider it was
 * placed with (the sandbox when it named none), PayPal, or none for cash on
 * delivery.
 *
 * @example
 * ```ts
 * paymentProviderOf({ method: 'card', token: 'tok_visa' }) // 'sandbox'
 * ```
 */
export function paymentProviderOf(payment: PaymentInstruction): PaymentProviderName | null {
  if (payment.method === 'card') return payment.provider ?? 'sandbox'
  return payment.method === 'paypal' ? 'paypal' : null
}

/**
 * What the carrier's report of cash collected at the door says: the amount
 * expected, another amount, or none at all.
 *
 * @example
 * ```ts
 * codCollectionOutcome(2599, 2500) // 'mismatch'
 * ```
 */
export function codCollectionOutcome(expected: number, reported: number | null): CodCollectionOutcome {
  if (reported === null) return 'not_reported'
  return reported === expected ? 'collected' : 'mismatch'
}

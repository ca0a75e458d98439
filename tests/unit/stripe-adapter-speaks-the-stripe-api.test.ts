import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentActivities } from '../../activities/payments/payment-activities.js'
import type { PaymentProvider } from '../../adapters/payments/payment-provider.js'
import { createStripeClient } from '../../adapters/payments/stripe-client.js'
import { createStripePaymentProvider } from '../../adapters/payments/stripe-payment-provider.js'
import { findStripeMock, type RunningStripeMock, startStripeMock } from '../support/stripe-mock.js'

const binary = findStripeMock()
if (!binary) {
  console.warn(
    '\n*** stripe-mock is not installed: SKIPPING the Stripe adapter tests against the Stripe API spec. ***\n' +
      '*** Install it with: go install github.com/stripe/stripe-mock@latest                          ***\n',
  )
}

let mock: RunningStripeMock
let stripe: PaymentProvider

beforeAll(async () => {
  if (!binary) return
  mock = await startStripeMock(binary)
  stripe = createStripePaymentProvider({ stripe: createStripeClient({ secretKey: 'sk_test_123', apiBase: mock.url }) })
})
afterAll(() => mock?.stop())

/**
 * stripe-mock validates every request against Stripe's OpenAPI spec and
 * answers with fixtures (it keeps no state), so these prove our requests are
 * ones Stripe accepts and that the real SDK reads the answers into our
 * results; the behaviour is proven against the stateful fake elsewhere.
 */
describe.skipIf(!binary)('the Stripe adapter, through the real SDK, against stripe-mock', () => {
  const amount = { amount: 2_999, currency: 'USD' }

  it('creates a PaymentIntent with manual capture that the API accepts', async () => {
    const payments = createPaymentActivities({ payments: stripe })
    const orderId = randomUUID()
    // stripe-mock's fixture intent answers `requires_payment_method`, which our adapter reads as a failed payment.
    await expect(payments.authorizePayment({ orderId, amount, token: 'tok_visa' })).rejects.toMatchObject({
      type: 'PaymentDeclined',
      nonRetryable: true,
    })
  })

  it('captures, voids, refunds and reads back by reference with requests the API accepts', async () => {
    const request = { orderId: randomUUID(), reference: 'pi_123' }
    await expect(stripe.capture({ ...request, idempotencyKey: 'k-capture', amount })).resolves.toMatchObject({
      reference: 'pi_123',
    })
    await expect(stripe.void({ ...request, idempotencyKey: 'k-void' })).resolves.toMatchObject({ reference: 'pi_123' })
    const refund = await stripe.refund({ ...request, idempotencyKey: 'k-refund', amount })
    expect(refund.reference).toMatch(/^re_/)
    expect(refund.amount).toEqual(expect.any(Number))
  })

  it('is a mock that refuses what Stripe refuses, so the passes above mean something', async () => {
    const sdk = createStripeClient({ secretKey: 'sk_test_123', apiBase: mock.url })
    const unknownParameter = { amount: 100, currency: 'usd', capture_method: 'manual', capture_later_please: true } as never
    await expect(sdk.paymentIntents.create(unknownParameter)).rejects.toMatchObject({ type: 'StripeInvalidRequestError' })
  })
})

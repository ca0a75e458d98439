import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createPaymentActivities } from '../activities/payments/payment-activities.js'
import { createSandboxPaymentProvider } from '../adapters/payments/sandbox-payment-provider.js'
import { createDatabase, type Kysely } from '../db/connection.js'
import type { Database } from '../db/schema.js'
import { paymentsOf } from './support/fixtures.js'

let db: Kysely<Database>
let payments: ReturnType<typeof createPaymentActivities>
const amount = { amount: 2_999, currency: 'USD' }

beforeAll(() => {
  db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 20 })
  payments = createPaymentActivities({ payments: createSandboxPaymentProvider({ db }) })
})
afterAll(() => db?.destroy())

describe('the sandbox payment provider', () => {
  it('authorizes once per order however many times the activity is retried, even at once', async () => {
    const orderId = randomUUID()
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => payments.authorizePayment({ orderId, amount, token: 'tok_visa' })),
    )
    expect(new Set(attempts.map((attempt) => attempt.reference)).size).toBe(1)
    expect(await paymentsOf(db, orderId)).toHaveLength(1)
  })

  it('captures, voids and refunds once per step', async () => {
    const orderId = randomUUID()
    const { reference } = await payments.authorizePayment({ orderId, amount, token: 'tok_mastercard' })
    await payments.capturePayment({ orderId, reference, amount })
    await payments.capturePayment({ orderId, reference, amount })
    await payments.refundPayment({ orderId, reference, amount })
    await payments.refundPayment({ orderId, reference, amount })
    expect(await paymentsOf(db, orderId)).toMatchObject([{ status: 'refunded', captured_amount: 2_999, refunded_amount: 2_999 }])

    const voided = randomUUID()
    const authorization = await payments.authorizePayment({ orderId: voided, amount, token: 'tok_visa' })
    await payments.voidPayment({ orderId: voided, reference: authorization.reference })
    await payments.voidPayment({ orderId: voided, reference: authorization.reference })
    expect(await paymentsOf(db, voided)).toMatchObject([{ status: 'voided', captured_amount: 0 }])
  })

  it("declines Stripe's decline test tokens with their decline code, and the same again on retry", async () => {
    const orderId = randomUUID()
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(
        payments.authorizePayment({ orderId, amount, token: 'tok_chargeDeclinedInsufficientFunds' }),
      ).rejects.toMatchObject({
        type: 'PaymentDeclined',
        nonRetryable: true,
        details: ['insufficient_funds'],
      })
    }
    await expect(payments.authorizePayment({ orderId: randomUUID(), amount, token: 'tok_unknown' })).rejects.toMatchObject({
      details: ['invalid_token'],
    })
    expect(await paymentsOf(db, orderId)).toEqual([])
  })

  it('refuses to capture more than was authorized', async () => {
    const orderId = randomUUID()
    const { reference } = await payments.authorizePayment({ orderId, amount, token: 'tok_visa' })
    await expect(payments.capturePayment({ orderId, reference, amount: { amount: 3_000, currency: 'USD' } })).rejects.toThrow(
      'capture exceeds the authorized amount',
    )
  })
})

import { randomBytes } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/schema.js'
import {
  type AuthorizationOutcome,
  type PaymentProvider,
  type PaymentResult,
  PaymentDeclinedError,
  RefundRefusedError,
} from './payment-provider.js'

/**
 * Stripe's test tokens and what the sandbox does with them. Any other token is
 * declined as `invalid_token`, as Stripe refuses a token it does not know.
 */
const testTokens: Record<string, { declineCode: string; message: string } | null> = {
  tok_visa: null,
  tok_mastercard: null,
  tok_amex: null,
  tok_chargeDeclined: { declineCode: 'generic_decline', message: 'Your card was declined.' },
  tok_chargeDeclinedInsufficientFunds: { declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  tok_chargeDeclinedExpiredCard: { declineCode: 'expired_card', message: 'Your card has expired.' },
  /** Authorizes up to 10000 minor units per order in all, then declines `insufficient_funds` (a card's limit). */
  tok_visaLimit10000: null,
}

/** The most the token authorizes for one order in all, where it has a limit. */
const creditLimits: Record<string, number> = { tok_visaLimit10000: 10_000 }

export interface SandboxPaymentProviderProps {
  db: Kysely<Database>
}

/**
 * A local payment provider that behaves like Stripe in test mode: real state
 * in Postgres (`sandbox_payments`), and every request remembered by its
 * idempotency key, so a retried call answers exactly as the first did.
 */
export function createSandboxPaymentProvider({ db }: SandboxPaymentProviderProps): PaymentProvider {
  type Outcome<T> = T | { declined: { declineCode: string; message: string } }

  /** Runs `work` once per idempotency key; later calls with the key get the stored answer, declines included. */
  async function once<T extends PaymentResult>(
    key: string,
    operation: string,
    work: (trx: Kysely<Database>) => Promise<T>,
  ): Promise<T> {
    const outcome = await db.transaction().execute(async (trx): Promise<Outcome<T>> => {
      await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx)
      const stored = await trx
        .selectFrom('sandbox_payment_requests')
        .select(['operation', 'response'])
        .where('idempotency_key', '=', key)
        .executeTakeFirst()
      if (stored) {
        if (stored.operation !== operation) throw new Error(`idempotency key ${key} was used for ${stored.operation}`)
        return stored.response as Outcome<T>
      }
      let result: Outcome<T>
      try {
        result = await work(trx)
      } catch (error) {
        if (!(error instanceof PaymentDeclinedError)) throw error
        result = { declined: { declineCode: error.declineCode, message: error.message } }
      }
      await trx
        .insertInto('sandbox_payment_requests')
        .values({ idempotency_key: key, operation, response: JSON.stringify(result) })
        .execute()
      return result
    })
    if ('declined' in outcome) throw new PaymentDeclinedError(outcome.declined.declineCode, outcome.declined.message)
    return outcome
  }

  async function payment(trx: Kysely<Database>, reference: string) {
    const row = await trx.selectFrom('sandbox_payments').selectAll().where('id', '=', reference).forUpdate().executeTakeFirst()
    if (!row) throw new Error(`sandbox payment ${reference} does not exist`)
    return row
  }

  return {
    name: 'sandbox',

    authorize: ({ idempotencyKey, orderId, amount, token }) =>
      once(idempotencyKey, 'authorize', async (trx): Promise<AuthorizationOutcome> => {
        const known = token !== null && token in testTokens
        const decline = known ? testTokens[token] : { declineCode: 'invalid_token', message: 'No such token.' }
        if (decline) throw new PaymentDeclinedError(decline.declineCode, decline.message)
        const limit = token !== null ? creditLimits[token] : undefined
        if (limit !== undefined) {
          const held = await trx
            .selectFrom('sandbox_payments')
            .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('authorized_amount'), eb.lit(0)).as('amount'))
            .where('order_id', '=', orderId)
            .where('status', '!=', 'voided')
            .executeTakeFirstOrThrow()
          if (Number(held.amount) + amount.amount > limit) {
            throw new PaymentDeclinedError('insufficient_funds', 'Your card has insufficient funds.')
          }
        }
        const reference = `pi_sbx_${randomBytes(12).toString('hex')}`
        await trx
          .insertInto('sandbox_payments')
          .values({
            id: reference,
            order_id: orderId,
            currency: amount.currency,
            authorized_amount: amount.amount,
            status: 'authorized',
          })
          .execute()
        return { status: 'authorized', reference, amount: amount.amount }
      }),

    /** The sandbox never waits for a customer: a payment it knows is authorized, or was. */
    async completeAuthorization({ reference }) {
      const row = await payment(db, reference)
      if (row.status === 'voided') throw new PaymentDeclinedError('canceled', 'The authorization was voided.')
      return { status: 'authorized', reference, amount: row.authorized_amount }
    },

    /** Several captures of one authorization: each adds up, a final one ends the hold. */
    capture: ({ idempotencyKey, reference, amount, finalCapture = true }) =>
      once(idempotencyKey, 'capture', async (trx) => {
        const row = await payment(trx, reference)
        if (row.status !== 'authorized') throw new Error(`cannot capture a ${row.status} payment`)
        const captured = row.captured_amount + amount.amount
        if (captured > row.authorized_amount) throw new Error('capture exceeds the authorized amount')
        await trx
          .updateTable('sandbox_payments')
          .set({ status: finalCapture ? 'captured' : 'authorized', captured_amount: captured, updated_at: sql`now()` })
          .where('id', '=', reference)
          .execute()
        return { reference, amount: amount.amount }
      }),

    void: ({ idempotencyKey, reference }) =>
      once(idempotencyKey, 'void', async (trx) => {
        const row = await payment(trx, reference)
        if (row.status !== 'authorized' && row.status !== 'voided') throw new Error(`cannot void a ${row.status} payment`)
        // After some captures of several, voiding releases the rest: the payment is what was captured.
        const status = row.status === 'authorized' && row.captured_amount > 0 ? 'captured' : 'voided'
        await trx
          .updateTable('sandbox_payments')
          .set({ status, updated_at: sql`now()` })
          .where('id', '=', reference)
          .execute()
        return { reference, amount: row.authorized_amount }
      }),

    refund: ({ idempotencyKey, reference, amount }) =>
      once(idempotencyKey, 'refund', async (trx) => {
        const row = await payment(trx, reference)
        const refundable = row.captured_amount - row.refunded_amount
        if (amount.amount > refundable) {
          throw new RefundRefusedError('amount_too_large', `refund of ${amount.amount} exceeds the ${refundable} refundable`)
        }
        const refunded = row.refunded_amount + amount.amount
        await trx
          .updateTable('sandbox_payments')
          .set({
            refunded_amount: refunded,
            status: refunded === row.captured_amount ? 'refunded' : 'partially_refunded',
            updated_at: sql`now()`,
          })
          .where('id', '=', reference)
          .execute()
        return { reference, amount: amount.amount }
      }),
  }
}

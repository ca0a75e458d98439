/**
 * A fake Stripe API on loopback, enough of PaymentIntents and Refunds for the
 * real `stripe` SDK to drive: it keeps state (stripe-mock does not), enforces
 * idempotency keys as Stripe does (same key and parameters: the stored
 * response; same key, other parameters: an `idempotency_error`; a mutating
 * request without a key is refused, so nothing of ours may forget one), and
 * can drop a response after doing the work.
 */
import { randomBytes } from 'node:crypto'
import { type FakeResponse, type FakeServer, startFakeServer } from './fake-server.js'

type IntentStatus = 'requires_payment_method' | 'requires_action' | 'requires_capture' | 'succeeded' | 'canceled'

export interface FakeIntent {
  id: string
  object: 'payment_intent'
  amount: number
  currency: string
  status: IntentStatus
  capture_method: string
  amount_capturable: number
  amount_received: number
  /** Not a Stripe field: what the refunds of this intent add up to. */
  amount_refunded: number
  metadata: Record<string, string>
  client_secret: string
  last_payment_error: { code: string; decline_code?: string; message: string } | null
  cancellation_reason: string | null
  created: number
}

export interface FakeStripeEvent {
  id: string
  object: 'event'
  type: string
  created: number
  data: { object: FakeIntent }
}

/** What a test payment method does, as Stripe's test cards do. */
const testMethods: Record<string, { decline?: string; threeDSecure?: boolean }> = {
  pm_card_visa: {},
  pm_card_mastercard: {},
  pm_card_amex: {},
  pm_card_chargeDeclined: { decline: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: { decline: 'insufficient_funds' },
  pm_card_chargeDeclinedExpiredCard: { decline: 'expired_card' },
  pm_card_threeDSecure2Required: { threeDSecure: true },
  pm_card_authenticationRequired: { threeDSecure: true },
}

export interface FakeStripe extends FakeServer {
  intents: Map<string, FakeIntent>
  /** Every event Stripe would have sent, in the order things happened. */
  events: FakeStripeEvent[]
  intentsOf(orderId: string): FakeIntent[]
  /** Captures per intent id. */
  captures: Map<string, number>
  /** The customer finishes (or fails) the 3-D Secure challenge of an intent. */
  completeThreeDSecure(intentId: string, succeeded: boolean): FakeIntent
}

function stripeError(status: number, type: string, message: string, extra: Record<string, unknown> = {}): FakeResponse {
  return { status, body: { error: { type, message, ...extra } } }
}

export async function startFakeStripe(seed = 42): Promise<FakeStripe> {
  const intents = new Map<string, FakeIntent>()
  const captures = new Map<string, number>()
  const events: FakeStripeEvent[] = []
  const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`
  const now = () => Math.floor(Date.now() / 1000)

  function emit(type: string, intent: FakeIntent) {
    events.push({ id: id('evt'), object: 'event', type, created: now(), data: { object: { ...intent } } })
  }

  function unexpectedState(intent: FakeIntent, action: string): FakeResponse {
    return stripeError(
      400,
      'invalid_request_error',
      `You cannot ${action} this PaymentIntent because it has a status of ${intent.status}.`,
      {
        code: 'payment_intent_unexpected_state',
      },
    )
  }

  function handle(request: { method: string; path: string; raw: string }): FakeResponse {
    const params = Object.fromEntries(new URLSearchParams(request.raw))
    const parts = request.path.split('/').filter(Boolean)
    if (request.method === 'POST' && request.path === '/v1/payment_intents') {
      const amount = Number(params['amount'])
      if (!Number.isInteger(amount) || amount <= 0)
        return stripeError(400, 'invalid_request_error', 'Invalid amount', { param: 'amount' })
      const method = testMethods[params['payment_method'] ?? '']
      if (!method) return stripeError(400, 'invalid_request_error', 'No such PaymentMethod', { code: 'resource_missing' })
      const metadata: Record<string, string> = {}
      for (const [key, value] of Object.entries(params)) {
        const match = /^metadata\[(.+)\]$/.exec(key)
        if (match?.[1]) metadata[match[1]] = value
      }
      const intent: FakeIntent = {
        id: id('pi'),
        object: 'payment_intent',
        amount,
        currency: params['currency'] ?? 'usd',
        status: 'requires_payment_method',
        capture_method: params['capture_method'] ?? 'automatic',
        amount_capturable: 0,
        amount_received: 0,
        amount_refunded: 0,
        metadata,
        client_secret: '',
        last_payment_error: null,
        cancellation_reason: null,
        created: now(),
      }
      intent.client_secret = `${intent.id}_secret_${randomBytes(8).toString('hex')}`
      intents.set(intent.id, intent)
      emit('payment_intent.created', intent)
      if (method.decline) {
        intent.last_payment_error = { code: 'card_declined', decline_code: method.decline, message: 'Your card was declined.' }
        emit('payment_intent.payment_failed', intent)
        return stripeError(402, 'card_error', 'Your card was declined.', {
          code: 'card_declined',
          decline_code: method.decline,
          payment_intent: intent,
        })
      }
      if (method.threeDSecure) {
        intent.status = 'requires_action'
        emit('payment_intent.requires_action', intent)
      } else {
        intent.status = 'requires_capture'
        intent.amount_capturable = amount
        emit('payment_intent.amount_capturable_updated', intent)
      }
      return { status: 200, body: intent }
    }
    if (parts[0] === 'v1' && parts[1] === 'payment_intents' && parts[2]) {
      const intent = intents.get(parts[2])
      if (!intent)
        return stripeError(404, 'invalid_request_error', `No such payment_intent: '${parts[2]}'`, { code: 'resource_missing' })
      if (request.method === 'GET' && parts.length === 3) return { status: 200, body: intent }
      if (request.method === 'POST' && parts[3] === 'capture') {
        if (intent.status !== 'requires_capture') return unexpectedState(intent, 'capture')
        const amount = params['amount_to_capture'] ? Number(params['amount_to_capture']) : intent.amount_capturable
        if (amount > intent.amount_capturable)
          return stripeError(400, 'invalid_request_error', 'Amount to capture exceeds the authorized amount')
        intent.status = 'succeeded'
        intent.amount_received = amount
        intent.amount_capturable = 0
        captures.set(intent.id, (captures.get(intent.id) ?? 0) + 1)
        emit('payment_intent.succeeded', intent)
        return { status: 200, body: intent }
      }
      if (request.method === 'POST' && parts[3] === 'cancel') {
        if (intent.status === 'succeeded' || intent.status === 'canceled') return unexpectedState(intent, 'cancel')
        intent.status = 'canceled'
        intent.amount_capturable = 0
        intent.cancellation_reason = params['cancellation_reason'] ?? 'requested_by_customer'
        emit('payment_intent.canceled', intent)
        return { status: 200, body: intent }
      }
    }
    if (request.method === 'POST' && request.path === '/v1/refunds') {
      const intent = intents.get(params['payment_intent'] ?? '')
      if (!intent) return stripeError(404, 'invalid_request_error', 'No such payment_intent', { code: 'resource_missing' })
      const refundable = intent.amount_received - intent.amount_refunded
      const amount = params['amount'] ? Number(params['amount']) : refundable
      if (intent.status !== 'succeeded' || amount > refundable || amount <= 0) {
        return stripeError(
          400,
          'invalid_request_error',
          `Refund amount (${amount}) is greater than unrefunded amount (${refundable})`,
          {
            code: 'amount_too_large',
          },
        )
      }
      intent.amount_refunded += amount
      emit('charge.refunded', intent)
      return { status: 200, body: { id: id('re'), object: 'refund', amount, payment_intent: intent.id, status: 'succeeded' } }
    }
    return stripeError(404, 'invalid_request_error', `Unrecognized request URL (${request.method}: ${request.path})`)
  }

  const server = await startFakeServer(
    {
      keyHeader: 'idempotency-key',
      keyConflict: (key) =>
        stripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. (${key})`,
        ),
      keyMissing: () => stripeError(400, 'invalid_request_error', 'This fake Stripe requires an Idempotency-Key on every POST'),
      fingerprint: (request) => [...new URLSearchParams(request.raw)].sort().join('&'),
      handle,
    },
    seed,
  )

  return Object.assign(server, {
    intents,
    events,
    captures,
    intentsOf: (orderId: string) => [...intents.values()].filter((intent) => intent.metadata['order_id'] === orderId),
    completeThreeDSecure(intentId: string, succeeded: boolean) {
      const intent = intents.get(intentId)
      if (!intent || intent.status !== 'requires_action') throw new Error(`${intentId} is not waiting for 3-D Secure`)
      if (succeeded) {
        intent.status = 'requires_capture'
        intent.amount_capturable = intent.amount
        emit('payment_intent.amount_capturable_updated', intent)
      } else {
        intent.status = 'requires_payment_method'
        intent.last_payment_error = {
          code: 'payment_intent_authentication_failure',
          message: 'The customer failed 3-D Secure authentication.',
        }
        emit('payment_intent.payment_failed', intent)
      }
      return intent
    },
  })
}

/**
 * A fake PayPal REST API on loopback, enough of OAuth, Orders v2, Payments v2
 * and verify-webhook-signature for the real `@paypal/paypal-server-sdk` to
 * drive. It keeps state, enforces PayPal-Request-Id on every mutating call
 * (same id and body: the stored response; same id, other body: refused) and
 * can drop a response after doing the work. Webhook deliveries it signs are
 * verified only by asking it, as PayPal's verify API is asked.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { type FakeResponse, type FakeServer, startFakeServer } from './fake-server.js'

type Amount = { currency_code: string; value: string }

export interface FakePayPalOrder {
  id: string
  intent: string
  status: 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED'
  purchase_units: Array<{
    reference_id: string
    custom_id: string
    amount: Amount
    payments?: {
      authorizations?: Array<{ id: string; status: string; amount: Amount }>
      captures?: Array<{ id: string; status: string; amount: Amount; refunded: number }>
    }
  }>
  links: Array<{ href: string; rel: string; method: string }>
}

export interface FakePayPalEvent {
  id: string
  event_type: string
  resource_type: string
  create_time: string
  resource: FakePayPalOrder
}

export type WebhookHeaders = Record<string, string> & {
  'PAYPAL-AUTH-ALGO': string
  'PAYPAL-CERT-URL': string
  'PAYPAL-TRANSMISSION-ID': string
  'PAYPAL-TRANSMISSION-SIG': string
  'PAYPAL-TRANSMISSION-TIME': string
}

export interface FakePayPal extends FakeServer {
  orders: Map<string, FakePayPalOrder>
  ordersOf(orderId: string): FakePayPalOrder[]
  /** The buyer approves the order on PayPal's page; returns the CHECKOUT.ORDER.APPROVED event PayPal would send. */
  approve(paypalOrderId: string): FakePayPalEvent
  /** Headers for a delivery of `body` that PayPal's verify API will accept. */
  sign(body: string, webhookId: string): WebhookHeaders
  /** How many times each authorization (intent AUTHORIZE) or order (intent CAPTURE, by PayPal order id) was captured. */
  captures: Map<string, number>
  /**
   * Intent CAPTURE orders whose capture the buyer's funding will decline: `DECLINED`
   * completes the order with a declined capture; `INSTRUMENT_DECLINED` answers 422
   * and leaves the order approved, as PayPal does.
   */
  declinedCaptures: Map<string, 'DECLINED' | 'INSTRUMENT_DECLINED'>
  /** How many deliveries we were asked to verify. */
  stats: { verifications: number }
}

const problem = (status: number, name: string, issue: string): FakeResponse => ({
  status,
  body: { name, message: issue, details: [{ issue, description: issue }] },
})

export async function startFakePayPal(seed = 42): Promise<FakePayPal> {
  const orders = new Map<string, FakePayPalOrder>()
  const captures = new Map<string, number>()
  const declinedCaptures = new Map<string, 'DECLINED' | 'INSTRUMENT_DECLINED'>()
  const signingKey = randomBytes(16).toString('hex')
  const id = (prefix: string) => `${prefix}${randomBytes(8).toString('hex').toUpperCase()}`
  const stats = { verifications: 0 }

  function signature(transmissionId: string, time: string, webhookId: string, body: string): string {
    return createHmac('sha256', signingKey).update(`${transmissionId}|${time}|${webhookId}|${body}`).digest('base64')
  }

  function findAuthorization(authorizationId: string) {
    for (const order of orders.values()) {
      const authorization = order.purchase_units[0]?.payments?.authorizations?.find((a) => a.id === authorizationId)
      if (authorization) return { order, authorization }
    }
    return null
  }

  function findCapture(captureId: string) {
    for (const order of orders.values()) {
      const capture = order.purchase_units[0]?.payments?.captures?.find((c) => c.id === captureId)
      if (capture) return { order, capture }
    }
    return null
  }

  function handle(request: { method: string; path: string; raw: string }): FakeResponse {
    const body = request.raw.startsWith('{') ? (JSON.parse(request.raw) as Record<string, unknown>) : {}
    const parts = request.path.split('/').filter(Boolean)
    if (request.path === '/v1/oauth2/token') {
      return {
        status: 200,
        body: { access_token: `A21.${randomBytes(8).toString('hex')}`, token_type: 'Bearer', expires_in: 32_400 },
      }
    }
    if (request.method === 'POST' && request.path === '/v1/notifications/verify-webhook-signature') {
      stats.verifications += 1
      const expected = signature(
        String(body['transmission_id']),
        String(body['transmission_time']),
        String(body['webhook_id']),
        JSON.stringify(body['webhook_event']),
      )
      return { status: 200, body: { verification_status: expected === body['transmission_sig'] ? 'SUCCESS' : 'FAILURE' } }
    }
    if (request.method === 'POST' && request.path === '/v2/checkout/orders') {
      const unit = (body['purchase_units'] as Array<{ reference_id: string; custom_id: string; amount: Amount }>)[0]!
      const order: FakePayPalOrder = {
        id: id('5O'),
        intent: String(body['intent']),
        status: 'PAYER_ACTION_REQUIRED',
        purchase_units: [{ reference_id: unit.reference_id, custom_id: unit.custom_id, amount: unit.amount }],
        links: [],
      }
      order.links = [
        { href: `https://www.sandbox.paypal.com/checkoutnow?token=${order.id}`, rel: 'payer-action', method: 'GET' },
        { href: `/v2/checkout/orders/${order.id}`, rel: 'self', method: 'GET' },
      ]
      orders.set(order.id, order)
      return { status: 200, body: order }
    }
    if (parts[0] === 'v2' && parts[1] === 'checkout' && parts[2] === 'orders' && parts[3]) {
      const order = orders.get(parts[3])
      if (!order) return problem(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID')
      if (request.method === 'GET') return { status: 200, body: order }
      if (parts[4] === 'authorize') {
        if (order.intent !== 'AUTHORIZE') return problem(422, 'UNPROCESSABLE_ENTITY', 'ACTION_DOES_NOT_MATCH_INTENT')
        if (order.status !== 'APPROVED') return problem(422, 'UNPROCESSABLE_ENTITY', 'ORDER_NOT_APPROVED')
        const unit = order.purchase_units[0]!
        unit.payments = { authorizations: [{ id: id('AUTH'), status: 'CREATED', amount: unit.amount }] }
        order.status = 'COMPLETED'
        return { status: 201, body: order }
      }
      if (parts[4] === 'capture') {
        if (order.intent !== 'CAPTURE') return problem(422, 'UNPROCESSABLE_ENTITY', 'ACTION_DOES_NOT_MATCH_INTENT')
        if (order.status === 'COMPLETED') return problem(422, 'UNPROCESSABLE_ENTITY', 'ORDER_ALREADY_CAPTURED')
        if (order.status !== 'APPROVED') return problem(422, 'UNPROCESSABLE_ENTITY', 'ORDER_NOT_APPROVED')
        const decline = declinedCaptures.get(order.id)
        if (decline === 'INSTRUMENT_DECLINED') return problem(422, 'UNPROCESSABLE_ENTITY', 'INSTRUMENT_DECLINED')
        const unit = order.purchase_units[0]!
        captures.set(order.id, (captures.get(order.id) ?? 0) + 1)
        const status = decline === 'DECLINED' ? 'DECLINED' : 'COMPLETED'
        unit.payments = { captures: [{ id: id('CAP'), status, amount: unit.amount, refunded: 0 }] }
        order.status = 'COMPLETED'
        return { status: 201, body: order }
      }
    }
    if (parts[0] === 'v2' && parts[1] === 'payments' && parts[2] === 'authorizations' && parts[3]) {
      const found = findAuthorization(parts[3])
      if (!found) return problem(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID')
      const { order, authorization } = found
      if (parts[4] === 'capture') {
        if (authorization.status !== 'CREATED')
          return problem(422, 'UNPROCESSABLE_ENTITY', `AUTHORIZATION_ALREADY_${authorization.status}`)
        const amount = (body['amount'] as Amount | undefined) ?? authorization.amount
        if (Number(amount.value) > Number(authorization.amount.value))
          return problem(422, 'UNPROCESSABLE_ENTITY', 'CAPTURE_AMOUNT_EXCEEDS')
        authorization.status = 'CAPTURED'
        captures.set(authorization.id, (captures.get(authorization.id) ?? 0) + 1)
        const capture = { id: id('CAP'), status: 'COMPLETED', amount, refunded: 0 }
        const payments = order.purchase_units[0]!.payments!
        payments.captures = [...(payments.captures ?? []), capture]
        return { status: 201, body: { id: capture.id, status: capture.status, amount } }
      }
      if (parts[4] === 'void') {
        if (authorization.status !== 'CREATED')
          return problem(422, 'UNPROCESSABLE_ENTITY', `AUTHORIZATION_ALREADY_${authorization.status}`)
        authorization.status = 'VOIDED'
        return { status: 200, body: authorization }
      }
    }
    if (parts[0] === 'v2' && parts[1] === 'payments' && parts[2] === 'captures' && parts[3] && parts[4] === 'refund') {
      const found = findCapture(parts[3])
      if (!found) return problem(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID')
      const { capture } = found
      if (capture.status !== 'COMPLETED') return problem(422, 'UNPROCESSABLE_ENTITY', 'CAPTURE_STATUS_NOT_VALID')
      const amount = (body['amount'] as Amount | undefined) ?? capture.amount
      const remaining = Number(capture.amount.value) - capture.refunded
      if (Number(amount.value) > remaining + 1e-9) return problem(422, 'UNPROCESSABLE_ENTITY', 'REFUND_AMOUNT_EXCEEDED')
      capture.refunded += Number(amount.value)
      return { status: 201, body: { id: id('REF'), status: 'COMPLETED', amount } }
    }
    return problem(404, 'NOT_FOUND', `${request.method} ${request.path}`)
  }

  const server = await startFakeServer(
    {
      keyHeader: 'paypal-request-id',
      needsKey: (request) => request.path !== '/v1/oauth2/token' && request.path !== '/v1/notifications/verify-webhook-signature',
      // Payment calls lose responses; the OAuth token call is not what these tests are about.
      mayLose: (request) => request.path !== '/v1/oauth2/token',
      keyConflict: () => problem(422, 'UNPROCESSABLE_ENTITY', 'DUPLICATE_REQUEST_ID'),
      keyMissing: () => problem(400, 'INVALID_REQUEST', 'PAYPAL_REQUEST_ID_REQUIRED'),
      fingerprint: (request) => request.raw,
      handle,
    },
    seed,
  )

  return Object.assign(server, {
    orders,
    captures,
    declinedCaptures,
    stats,
    ordersOf: (orderId: string) => [...orders.values()].filter((order) => order.purchase_units[0]?.custom_id === orderId),
    approve(paypalOrderId: string): FakePayPalEvent {
      const order = orders.get(paypalOrderId)
      if (!order || order.status !== 'PAYER_ACTION_REQUIRED') throw new Error(`${paypalOrderId} is not waiting for the buyer`)
      order.status = 'APPROVED'
      return {
        id: `WH-${randomBytes(8).toString('hex').toUpperCase()}`,
        event_type: 'CHECKOUT.ORDER.APPROVED',
        resource_type: 'checkout-order',
        create_time: new Date().toISOString(),
        resource: structuredClone(order),
      }
    },
    sign(body: string, webhookId: string): WebhookHeaders {
      const transmissionId = randomBytes(8).toString('hex')
      const time = new Date().toISOString()
      return {
        'PAYPAL-AUTH-ALGO': 'SHA256withRSA',
        'PAYPAL-CERT-URL': 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-fake',
        'PAYPAL-TRANSMISSION-ID': transmissionId,
        'PAYPAL-TRANSMISSION-SIG': signature(transmissionId, time, webhookId, JSON.stringify(JSON.parse(body))),
        'PAYPAL-TRANSMISSION-TIME': time,
      }
    },
  })
}

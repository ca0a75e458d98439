import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProducts } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'

let stack: HttpStack
let customer: string
let admin: string
const exercised = new Set<string>()

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  admin = await stack.token('admin', 'admin_contract')
})
afterAll(() => stack?.close())

const shippingAddress = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' }

/** Calls the API and remembers which documented operation answered. */
async function call(method: string, path: string, options: Parameters<HttpStack['call']>[2] = {}) {
  const template = stack.contract.templateOf(method, path)
  if (template) exercised.add(`${method} ${template}`)
  return stack.call(method, path, options)
}

/** Every route the router serves, as `METHOD /template`, middleware left out. */
function servedRoutes(): string[] {
  return [
    ...new Set(
      stack.app.routes
        .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
        .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1')}`),
    ),
  ].sort()
}

describe('the OpenAPI document is the contract', () => {
  it('documents every route the router serves, and nothing it does not', () => {
    const documented = stack.contract.operations().sort()
    const documentationItself = /^GET \/(openapi\.json|docs)(\/|$)/
    expect(servedRoutes().filter((route) => !documentationItself.test(route))).toEqual(documented)
  })

  it('every operation answers only statuses and bodies its documentation allows', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 5 }])
    const key = randomUUID()
    const body = { lines: [{ sku, quantity: 1 }], paymentMethod: 'card', paymentToken: 'tok_visa', shippingAddress }

    await call('GET', '/health')
    await call('GET', '/ready')
    await call('GET', '/v1/products')
    await call('GET', '/metrics')

    const placed = await call('POST', '/v1/orders', { token: customer, body, headers: { 'Idempotency-Key': key } })
    expect(placed.status).toBe(201)
    await call('POST', '/v1/orders', { token: customer, body, headers: { 'Idempotency-Key': key } })
    await call('POST', '/v1/orders', {
      token: customer,
      body: { ...body, lines: [{ sku, quantity: 2 }] },
      headers: { 'Idempotency-Key': key },
    })
    await call('POST', '/v1/orders', { token: customer, body })
    await call('POST', '/v1/orders', { token: customer, body: { lines: [] }, headers: { 'Idempotency-Key': randomUUID() } })
    await call('POST', '/v1/orders', { body, headers: { 'Idempotency-Key': randomUUID() } })

    const id = placed.body.id as string
    await call('GET', '/v1/orders', { token: customer })
    await call('GET', '/v1/orders?limit=1000', { token: customer })
    await call('GET', `/v1/orders/${id}`, { token: customer })
    await call('GET', `/v1/orders/${randomUUID()}`, { token: customer })

    await call('POST', `/v1/orders/${id}/cod-confirmation`, { token: customer })
    const labelled = await waitForHttpOrder(stack, customer, id, (order) => order.shipment !== null)
    await call('POST', `/v1/orders/${id}/cod-confirmation`, { token: admin })

    exercised.add('POST /v1/carrier-events')
    await stack.carrier({
      eventId: randomUUID(),
      trackingNumber: labelled.shipment.trackingNumber,
      status: 'PICKED_UP',
      occurredAt: new Date().toISOString(),
    })
    await stack.carrier({
      eventId: randomUUID(),
      trackingNumber: 'NOPE',
      status: 'PICKED_UP',
      occurredAt: new Date().toISOString(),
    })
    await stack.carrier({ eventId: '', trackingNumber: 'NOPE', status: 'LOST', occurredAt: 'yesterday' })
    await call('POST', '/v1/carrier-events', { body: { eventId: 'x' } })

    await waitForHttpOrder(stack, customer, id, (order) => order.status === 'SHIPPED')
    await call('GET', `/v1/orders/${id}/payment-action`, { token: customer })
    await call('POST', `/v1/orders/${id}/payment-return`, { token: customer })
    await call('POST', `/v1/orders/${id}/cod-settlement`, { token: admin, body: {} })
    const refund = { amount: 100, reason: 'goodwill' }
    await call('POST', `/v1/orders/${id}/refunds`, { token: admin, body: refund, headers: { 'Idempotency-Key': randomUUID() } })
    await call('POST', `/v1/orders/${id}/refunds`, { token: admin, body: refund })
    await call('POST', `/v1/orders/${id}/refunds`, {
      token: customer,
      body: refund,
      headers: { 'Idempotency-Key': randomUUID() },
    })
    // Returns: this order is not delivered (409), and these returns do not exist (404).
    const returnBody = { lines: [{ sku, quantity: 1, reason: 'damaged' }] }
    await call('POST', `/v1/orders/${id}/returns`, {
      token: customer,
      body: returnBody,
      headers: { 'Idempotency-Key': randomUUID() },
    })
    await call('POST', `/v1/orders/${id}/returns`, { token: customer, body: returnBody })
    await call('GET', `/v1/orders/${id}/returns`, { token: customer })
    await call('GET', `/v1/orders/${id}/cod-refunds`, { token: customer })
    await call('POST', `/v1/orders/${id}/cod-refunds/cod-refund-1/settlement`, { token: admin, body: { reference: 'TR-1' } })
    const noReturn = randomUUID()
    await call('GET', `/v1/returns/${noReturn}`, { token: customer })
    await call('POST', `/v1/returns/${noReturn}/approval`, { token: admin })
    await call('POST', `/v1/returns/${noReturn}/rejection`, { token: admin, body: { note: 'no' } })
    await call('POST', `/v1/returns/${noReturn}/receipt`, { token: admin, body: { lines: [] } })
    await call('POST', '/v1/webhooks/stripe', { body: { id: 'evt_unsigned', type: 'payment_intent.succeeded' } })
    await call('POST', '/v1/webhooks/paypal', { body: { id: 'WH-unsigned', event_type: 'CHECKOUT.ORDER.APPROVED' } })
    await call('GET', `/v1/orders/${id}/timeline`, { token: customer })
    await call('GET', `/v1/orders/${randomUUID()}/timeline`, { token: customer })
    await call('GET', `/v1/orders/${randomUUID()}/events`, { token: customer })

    const newSku = `CONTRACT-${randomUUID().slice(0, 8).toUpperCase()}`
    const product = { name: 'Contract mug', prices: [{ currency: 'USD', unitPrice: 1_500 }] }
    await call('PUT', `/v1/products/${newSku}`, { token: admin, body: product })
    await call('PUT', `/v1/products/${newSku}`, { token: customer, body: product })
    await call('PUT', `/v1/products/${newSku}`, { token: admin, body: { name: '' } })
    const adjustment = { delta: 5, reason: 'received a delivery' }
    await call('POST', `/v1/products/${newSku}/stock-adjustments`, {
      token: admin,
      body: adjustment,
      headers: { 'Idempotency-Key': randomUUID() },
    })
    await call('POST', `/v1/products/${newSku}/stock-adjustments`, {
      token: admin,
      body: { delta: -50, reason: 'shrinkage' },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    await call('POST', `/v1/products/${newSku}/stock-adjustments`, { token: admin, body: adjustment })
    await call('GET', `/v1/products/${newSku}/audit`, { token: admin })
    const locationId = `contract-${randomUUID().slice(0, 8)}`
    await call('PUT', `/v1/stock-locations/${locationId}`, { token: admin, body: { name: 'Contract shelf', country: 'FR' } })
    await call('PUT', `/v1/stock-locations/${locationId}`, { token: admin, body: { name: 'Contract shelf 2', country: 'FR' } })
    await call('PUT', '/v1/stock-locations/Not_An_Id', { token: admin, body: { name: 'x', country: 'France' } })
    await call('GET', '/v1/stock-locations', { token: admin })
    await call('GET', '/v1/stock-locations', { token: customer })
    await call('POST', `/v1/products/${newSku}/stock-adjustments`, {
      token: admin,
      body: { ...adjustment, locationId },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    await call('POST', `/v1/products/${newSku}/stock-adjustments`, {
      token: admin,
      body: { ...adjustment, locationId: 'no-such-place' },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    await call('GET', '/v1/products', { token: admin })
    await call('GET', '/v1/products', { token: 'not-a-token' })
    await call('GET', `/v1/products/NO-SUCH-SKU/audit`, { token: admin })
    await call('POST', `/v1/orders/${id}/edits`, { token: customer, body: { lines: [{ sku, quantity: 2 }] } })
    await call('POST', `/v1/orders/${id}/edits`, {
      token: customer,
      body: { lines: [] },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    await call('POST', `/v1/orders/${randomUUID()}/edits`, {
      token: customer,
      body: { lines: [{ sku, quantity: 2 }] },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    await call('POST', `/v1/orders/${id}/cancellation`, {
      token: customer,
      body: { shipmentIds: [`shipment-${randomUUID()}-1`] },
    })
    await call('POST', `/v1/orders/${id}/cancellation`, { token: customer, body: { reason: 'too late?' } })
    await call('POST', `/v1/orders/${id}/cancellation`, { token: customer, body: { reason: 42 } })
    const inbox = await call('GET', '/v1/notifications?unread=true&limit=5', { token: customer })
    await call('GET', '/v1/notifications?cursor=nope', { token: customer })
    await call('POST', `/v1/notifications/${inbox.body.data[0]?.id ?? '1'}/read`, { token: customer })
    await call('POST', '/v1/notifications/999999999/read', { token: customer })

    const hooks = '/v1/webhook-endpoints'
    const endpoint = await call('POST', hooks, {
      token: admin,
      body: { url: 'https://erp.example.com/hooks', eventTypes: ['order.returned'] },
    })
    await call('POST', hooks, { token: admin, body: { url: 'http://127.0.0.1/hooks', eventTypes: ['order.returned'] } })
    await call('POST', hooks, { token: admin, body: { url: 'https://erp.example.com/hooks', eventTypes: [] } })
    await call('GET', hooks, { token: admin })
    await call('GET', `${hooks}?status=disabled&limit=1`, { token: admin })
    await call('GET', `${hooks}/${endpoint.body.id}`, { token: admin })
    await call('GET', `${hooks}/${randomUUID()}`, { token: admin })
    await call('PATCH', `${hooks}/${endpoint.body.id}`, { token: admin, body: { status: 'disabled' } })
    await call('PATCH', `${hooks}/${endpoint.body.id}`, { token: admin, body: {} })
    await call('POST', `${hooks}/${endpoint.body.id}/secret-rotation`, { token: admin, body: { previousSecretValidFor: 60 } })
    await call('POST', `${hooks}/${endpoint.body.id}/secret-rotation`, { token: admin })
    await call('GET', `${hooks}/${endpoint.body.id}/deliveries`, { token: admin })
    await call('POST', `${hooks}/${endpoint.body.id}/deliveries/${randomUUID()}/redelivery`, { token: admin })
    await call('DELETE', `${hooks}/${endpoint.body.id}`, { token: admin })
    await call('DELETE', `${hooks}/${endpoint.body.id}`, { token: admin })

    expect(stack.contractViolations).toEqual([])
  })

  it('answers a method a path does not serve with 405 and the methods it does', async () => {
    const trace = await stack.call('DELETE', '/health')
    expect(trace.status).toBe(405)
    expect(trace.headers.get('allow')).toBe('GET')
    const put = await stack.call('PUT', `/v1/orders/${randomUUID()}/cancellation`, { token: customer })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('POST')
    expect((await stack.call('GET', '/v2/nothing')).status).toBe(404)
  })

  it('notices an undocumented status and a body that breaks its schema', () => {
    expect(
      stack.contract.violations({ method: 'GET', path: '/health', status: 418, contentType: 'application/json', body: {} }),
    ).toEqual(['GET /health → 418: status 418 is not documented for GET /health'])
    const [broken] = stack.contract.violations({
      method: 'GET',
      path: '/v1/products',
      status: 200,
      contentType: 'application/json',
      body: { data: [{ sku: 1 }] },
    })
    expect(broken).toMatch(/body breaks the schema/)
  })

  it('every documented operation was exercised above', () => {
    expect([...exercised].sort()).toEqual(stack.contract.operations().sort())
  })
})

import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'

let stack: HttpStack
let customer: string
let stranger: string
let orderId: string
let sku: string

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  stranger = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  ;[sku] = (await createProducts(stack.services.db, [{ onHand: 5 }])) as [string]
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    body: { lines: [{ sku, quantity: 2 }], paymentMethod: 'cod', currency: 'USD', shippingAddress: shippingAddressInput },
    headers: { 'Idempotency-Key': randomUUID() },
  })
  expect(placed.status).toBe(201)
  orderId = placed.body.id
})
afterAll(() => stack?.close())

function edit(body: unknown, options: { key?: string | null; token?: string; id?: string } = {}) {
  const key = options.key === undefined ? randomUUID() : options.key
  return stack.call('POST', `/v1/orders/${options.id ?? orderId}/edits`, {
    token: options.token ?? customer,
    body,
    headers: key === null ? {} : { 'Idempotency-Key': key },
  })
}

const fields = (answer: { body: { errors?: Array<{ field: string }> } }) => (answer.body.errors ?? []).map((e) => e.field).sort()

describe('an order edit', () => {
  it('needs an Idempotency-Key: 400 naming the header, and the order is not asked', async () => {
    const answer = await edit({ lines: [{ sku, quantity: 1 }] }, { key: null })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ code: 'invalid_request', errors: [{ in: 'header', field: 'idempotency-key' }] })
  })

  it('is validated like a placement: lines and address, every bad field named', async () => {
    const noLines = await edit({ lines: [] })
    expect(noLines.status).toBe(400)
    expect(fields(noLines)).toEqual(['lines'])

    const bad = await edit({
      lines: [
        { sku: 'not a sku!', quantity: 0 },
        { sku, quantity: 101 },
      ],
      shippingAddress: { ...shippingAddressInput, country: 'United Kingdom', postalCode: '' },
      paymentMethod: 'card',
    })
    expect(bad.status).toBe(400)
    expect(fields(bad)).toEqual([
      'lines.0.quantity',
      'lines.0.sku',
      'lines.1.quantity',
      'paymentMethod',
      'shippingAddress.country',
      'shippingAddress.postalCode',
    ])
    const notJson = await stack.call('POST', `/v1/orders/${orderId}/edits`, {
      token: customer,
      body: '{"lines": [',
      headers: { 'Idempotency-Key': randomUUID() },
    })
    expect(notJson.status).toBe(400)
  })

  it('of someone else’s order, or of no order, is 404', async () => {
    expect((await edit({ lines: [{ sku, quantity: 1 }] }, { token: stranger })).status).toBe(404)
    expect((await edit({ lines: [{ sku, quantity: 1 }] }, { id: randomUUID() })).status).toBe(404)
    expect((await edit({ lines: [{ sku, quantity: 1 }] }, { id: 'not-an-order' })).status).toBe(404)
    expect((await stack.call('POST', `/v1/orders/${orderId}/edits`, { body: { lines: [] } })).status).toBe(401)
  })
})

describe('a partial cancellation', () => {
  function cancel(body: unknown) {
    return stack.call('POST', `/v1/orders/${orderId}/cancellation`, { token: customer, body })
  }

  it('names parcels of this order only, each once, as the order view names them', async () => {
    const malformed = await cancel({ shipmentIds: ['parcel-2', `shipment-${orderId}-0`] })
    expect(malformed.status).toBe(400)
    expect(fields(malformed)).toEqual(['shipmentIds.0', 'shipmentIds.1'])

    expect(fields(await cancel({ shipmentIds: [] }))).toEqual(['shipmentIds'])
    expect(fields(await cancel({ shipmentIds: [`shipment-${orderId}-2`, `shipment-${orderId}-2`] }))).toEqual(['shipmentIds'])

    const foreign = await cancel({ shipmentIds: [`shipment-${orderId}-1`, `shipment-${randomUUID()}-1`] })
    expect(foreign.status).toBe(400)
    expect(foreign.body.errors).toEqual([
      { in: 'body', field: 'shipmentIds.1', reason: expect.stringContaining('is not a parcel of order') },
    ])
    expect(stack.contractViolations).toEqual([])
  })
})

describe('the order view', () => {
  it('shows the one parcel of an order as `shipments`, with `shipment` meaning that parcel', async () => {
    const order = await waitForHttpOrder(stack, customer, orderId, (view) => view.status === 'AWAITING_CONFIRMATION')
    expect(order.shipment).toBeNull()
    const admin = await stack.token('admin', 'admin_parcels')
    expect((await stack.call('POST', `/v1/orders/${orderId}/cod-confirmation`, { token: admin })).status).toBe(200)
    const labelled = await waitForHttpOrder(stack, customer, orderId, (view) => view.shipment !== null)
    expect(labelled.shipments).toEqual([
      {
        id: `shipment-${orderId}-1`,
        parcel: 1,
        locationId: 'default',
        lines: [{ sku, quantity: 2 }],
        carrier: labelled.shipment.carrier,
        trackingNumber: labelled.shipment.trackingNumber,
        status: 'LABEL_CREATED',
        events: [],
      },
    ])
    expect(stack.contractViolations).toEqual([])
  })
})

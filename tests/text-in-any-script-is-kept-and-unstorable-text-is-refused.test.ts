import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProducts, shippingAddressInput, stockOf } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'

let stack: HttpStack
let customer: string
let admin: string

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  admin = await stack.token('admin', 'admin_text')
})
afterAll(() => stack?.close())

function place(sku: string, shippingAddress: Record<string, unknown>) {
  return stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'card', paymentToken: 'tok_visa', shippingAddress },
  })
}

/** Names and places in several scripts, with an emoji and a combining acute accent (e + U+0301). */
const worldAddress = {
  name: 'Zoë Ελένη 山田 花子 🚀',
  line1: 'ул. Тверская, 7',
  line2: 'שדרות רוטשילד 1',
  city: 'Mu\u0301nchen',
  region: 'محافظة',
  postalCode: '〒100-0001',
  country: 'DE',
}

describe('a placement', () => {
  it('keeps a shipping address in any script, with emoji and combining marks, as sent', async () => {
    const [sku] = (await createProducts(stack.services.db, [{ onHand: 1 }])) as [string]
    const placed = await place(sku, worldAddress)
    expect(placed.status).toBe(201)
    const recorded = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null, 60_000)
    expect(recorded.shippingAddress).toEqual(worldAddress)
  })

  it.each([
    ['a NUL', 'name', 'Ada\u0000Lovelace', 'contains U+0000, a control character, at character 4'],
    ['a lone surrogate', 'city', 'Lon\ud800don', 'contains U+D800, an unpaired UTF-16 surrogate'],
    ['a line break', 'line1', '12 St James Sq\nLondon', 'contains U+000A, a control character'],
    [
      'a form feed at its edge, where trimming would hide it',
      'name',
      '\u000cAda',
      'contains U+000C, a control character, at character 1',
    ],
  ])('with %s in the address is a 400 naming the field, and reserves nothing', async (_what, field, value, reason) => {
    const [sku] = (await createProducts(stack.services.db, [{ onHand: 1 }])) as [string]
    const answer = await place(sku, { ...shippingAddressInput, [field]: value })
    console.log(`address ${field} with ${_what}: ${answer.status} ${answer.body.detail}`)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([
      { in: 'body', field: `shippingAddress.${field}`, reason: expect.stringContaining(reason) },
    ])
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 1, reserved: 0 })
  })
})

describe('a signed carrier event', () => {
  it('with a NUL or a lone surrogate in its location is a 400 naming location, and the order goes on', async () => {
    const [sku] = (await createProducts(stack.services.db, [{ onHand: 1 }])) as [string]
    const placed = await place(sku, shippingAddressInput)
    expect(placed.status).toBe(201)
    const labelled = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null, 60_000)
    const event = (location: string) => ({
      eventId: randomUUID(),
      trackingNumber: labelled.shipment.trackingNumber,
      status: 'PICKED_UP',
      occurredAt: new Date().toISOString(),
      location,
    })
    for (const location of ['Depot\u0000 7', 'Dep\udc00ot 7', 'Depot\u009b7']) {
      const refused = await stack.carrier(event(location))
      console.log(`carrier location ${JSON.stringify(location)}: ${refused.status} ${refused.body.detail}`)
      expect(refused.status).toBe(400)
      expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'location' })])
    }
    expect((await stack.carrier(event('Dépôt Köln 🚚'))).status).toBe(202)
    const shipped = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'SHIPPED', 60_000)
    expect(shipped.fulfillmentStatus).toBe('PICKED_UP')
    // The read model keeps following the order: a customer's cancellation is answered (409, shipped), not a 504.
    const cancel = await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, { token: customer, body: {} })
    expect(cancel.status).toBe(409)
  }, 120_000)
})

describe('the catalog', () => {
  it('refuses a NUL in a product name and in a stock-adjustment reason with 400, and keeps any script', async () => {
    const sku = `TXT-${randomUUID().slice(0, 8).toUpperCase()}`
    const product = {
      name: 'Tasse à café ☕ 咖啡杯',
      description: 'Line one\nLine two',
      prices: [{ currency: 'EUR', unitPrice: 900 }],
    }
    const bad = await stack.call('PUT', `/v1/products/${sku}`, { token: admin, body: { ...product, name: 'Mug\u0000' } })
    console.log(`product name with a NUL: ${bad.status} ${bad.body.detail}`)
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'name' })])

    const created = await stack.call('PUT', `/v1/products/${sku}`, { token: admin, body: product })
    expect([created.status, created.body.name, created.body.description]).toEqual([201, product.name, product.description])

    const adjust = (reason: string) =>
      stack.call('POST', `/v1/products/${sku}/stock-adjustments`, {
        token: admin,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { delta: 5, reason },
      })
    const refused = await adjust('delivery\u0000PO 1187')
    console.log(`stock reason with a NUL: ${refused.status} ${refused.body.detail}`)
    expect(refused.status).toBe(400)
    expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'reason' })])
    const adjusted = await adjust('Lieferung vom Großhändler\r\nPO 1187')
    expect([adjusted.status, adjusted.body.onHand]).toEqual([201, 5])
  })
})

import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureShippingRate, shippingAddressInput } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settled } from './support/patience.js'

let stack: HttpStack
let admin: string
let customer: string

beforeAll(async () => {
  stack = await startHttpStack()
  admin = await stack.token('admin', 'admin_locations')
  customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  await ensureShippingRate(stack.services.db)
})
afterAll(() => stack?.close())

const suffix = () => randomUUID().slice(0, 8)

function adjust(sku: string, body: Record<string, unknown>) {
  return stack.call('POST', `/v1/products/${sku}/stock-adjustments`, {
    token: admin,
    body,
    headers: { 'Idempotency-Key': randomUUID() },
  })
}

async function catalogEntry(sku: string, token?: string) {
  const answer = await stack.call('GET', '/v1/products', token ? { token } : {})
  expect(answer.status).toBe(200)
  return (answer.body.data as Array<Record<string, unknown>>).find((product) => product.sku === sku)
}

describe('stock locations', () => {
  it('are created and renamed by admins, with a name and an ISO country, and listed with the default one', async () => {
    const id = `leeds-${suffix()}`
    const created = await stack.call('PUT', `/v1/stock-locations/${id}`, {
      token: admin,
      body: { name: 'Leeds warehouse', country: 'GB' },
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/v1/stock-locations/${id}`)
    expect(created.body).toMatchObject({ id, name: 'Leeds warehouse', country: 'GB' })

    const renamed = await stack.call('PUT', `/v1/stock-locations/${id}`, {
      token: admin,
      body: { name: 'Leeds, unit 4', country: 'GB' },
    })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ id, name: 'Leeds, unit 4', createdAt: created.body.createdAt })

    const list = await stack.call('GET', '/v1/stock-locations', { token: admin })
    expect(list.status).toBe(200)
    expect(list.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'default' }),
        expect.objectContaining({ id, name: 'Leeds, unit 4', country: 'GB' }),
      ]),
    )

    const badId = await stack.call('PUT', '/v1/stock-locations/Leeds_1', { token: admin, body: { name: 'x', country: 'GB' } })
    expect(badId.status).toBe(400)
    expect(badId.body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'id' })])
    const badBody = await stack.call('PUT', `/v1/stock-locations/${id}`, { token: admin, body: { name: '', country: 'gb' } })
    expect(badBody.status).toBe(400)
    expect(badBody.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['country', 'name'])
    expect(
      (await stack.call('PUT', `/v1/stock-locations/${id}`, { token: customer, body: { name: 'x', country: 'GB' } })).status,
    ).toBe(403)
    expect((await stack.call('GET', '/v1/stock-locations', { token: customer })).status).toBe(403)
  })

  it('hold stock per product (the total for all, each location for admins; an unknown one is 422); an order none has whole ships in two parcels, and cancelling the one not picked up restocks its location', async () => {
    const leeds = `leeds-${suffix()}`
    const lyon = `lyon-${suffix()}`
    for (const [id, country] of [
      [leeds, 'GB'],
      [lyon, 'FR'],
    ] as const) {
      expect((await stack.call('PUT', `/v1/stock-locations/${id}`, { token: admin, body: { name: id, country } })).status).toBe(
        201,
      )
    }
    const sku = `LOC-${suffix().toUpperCase()}`
    const product = { name: 'Wool scarf', prices: [{ currency: 'USD', unitPrice: 2_000 }] }
    expect((await stack.call('PUT', `/v1/products/${sku}`, { token: admin, body: product })).status).toBe(201)

    const atLeeds = await adjust(sku, { delta: 3, reason: 'first delivery', locationId: leeds })
    expect(atLeeds.status).toBe(201)
    expect(atLeeds.body).toMatchObject({ sku, locationId: leeds, delta: 3, onHand: 3, reserved: 0, available: 3 })
    expect((await adjust(sku, { delta: 2, reason: 'first delivery', locationId: lyon })).body).toMatchObject({
      locationId: lyon,
      onHand: 2,
    })
    expect((await adjust(sku, { delta: 1, reason: 'found one' })).body).toMatchObject({ locationId: 'default', onHand: 1 })

    const nowhere = await adjust(sku, { delta: 1, reason: 'typo', locationId: 'nowhere-at-all' })
    expect(nowhere.status).toBe(422)
    expect(nowhere.body).toMatchObject({ code: 'unknown_stock_location', errors: [{ in: 'body', field: 'locationId' }] })
    const badId = await adjust(sku, { delta: 1, reason: 'typo', locationId: 'Not An Id' })
    expect(badId.status).toBe(400)
    expect(badId.body.errors).toEqual([expect.objectContaining({ field: 'locationId' })])

    expect(await catalogEntry(sku)).toEqual({ sku, name: 'Wool scarf', description: '', prices: product.prices, available: 6 })
    expect(await catalogEntry(sku, customer)).not.toHaveProperty('locations')
    expect((await catalogEntry(sku, admin))?.locations).toEqual([
      { locationId: 'default', available: 1 },
      { locationId: leeds, available: 3 },
      { locationId: lyon, available: 2 },
    ])
    expect((await stack.call('GET', '/v1/products', { token: 'not-a-token' })).status).toBe(401)

    // No location has 5: the order is reserved from the two that together have most, leaving the default's unit.
    const placed = await stack.call('POST', '/v1/orders', {
      token: customer,
      body: {
        lines: [{ sku, quantity: 5 }],
        paymentMethod: 'card',
        paymentToken: 'tok_visa',
        currency: 'USD',
        shippingAddress: shippingAddressInput,
      },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    expect(placed.status).toBe(201)
    await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'CONFIRMED')
    await expect
      .poll(async () => (await catalogEntry(sku, admin))?.locations, settled)
      .toEqual([
        { locationId: 'default', available: 1 },
        { locationId: leeds, available: 0 },
        { locationId: lyon, available: 0 },
      ])
    expect((await catalogEntry(sku))?.available).toBe(1)
    const reservations = await stack.services.db
      .selectFrom('stock_reservations')
      .select(['location_id', 'quantity', 'parcel'])
      .where('order_id', '=', placed.body.id)
      .orderBy('parcel')
      .execute()
    expect(reservations).toEqual([
      { location_id: leeds, quantity: 3, parcel: 1 },
      { location_id: lyon, quantity: 2, parcel: 2 },
    ])
    // The order's view lists both parcels, each with its location, lines and label; `shipment` is the first one's.
    const labelled = await waitForHttpOrder(
      stack,
      customer,
      placed.body.id,
      (order) =>
        order.shipments.length === 2 && order.shipments.every((parcel: { trackingNumber: unknown }) => parcel.trackingNumber),
    )
    expect(
      labelled.shipments.map((parcel: Record<string, unknown>) => [parcel.id, parcel.parcel, parcel.locationId, parcel.lines]),
    ).toEqual([
      [`shipment-${placed.body.id}-1`, 1, leeds, [{ sku, quantity: 3 }]],
      [`shipment-${placed.body.id}-2`, 2, lyon, [{ sku, quantity: 2 }]],
    ])
    expect(labelled.shipment).toEqual({
      carrier: labelled.shipments[0].carrier,
      trackingNumber: labelled.shipments[0].trackingNumber,
    })
    expect(labelled.shipments[1].trackingNumber).not.toBe(labelled.shipments[0].trackingNumber)

    // Once the carrier has the first parcel, the customer cancels the second: its units are back on Lyon's shelf.
    const picked = await stack.carrier({
      eventId: randomUUID(),
      trackingNumber: labelled.shipments[0].trackingNumber,
      status: 'PICKED_UP',
      occurredAt: new Date().toISOString(),
    })
    expect(picked.status).toBe(202)
    await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.fulfillmentStatus === 'PARTIALLY_SHIPPED')
    const whole = await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, { token: customer, body: {} })
    expect(whole.status).toBe(409)
    const partial = await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, {
      token: customer,
      body: { reason: 'the rest is too late', shipmentIds: [`shipment-${placed.body.id}-2`] },
    })
    expect(partial.status, JSON.stringify(partial.body)).toBe(200)
    expect(partial.body.shipments.map((parcel: { status: string }) => parcel.status)).toEqual([
      'PICKED_UP',
      expect.stringMatching(/CANCELLED$/),
    ])
    await expect
      .poll(async () => (await catalogEntry(sku, admin))?.locations, settled)
      .toEqual([
        { locationId: 'default', available: 1 },
        { locationId: leeds, available: 0 },
        { locationId: lyon, available: 2 },
      ])
    expect(stack.contractViolations).toEqual([])
  })
})

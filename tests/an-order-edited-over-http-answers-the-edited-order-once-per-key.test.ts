import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProducts, shippingAddressInput, stockOf } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'

let stack: HttpStack
let customer: string

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
})
afterAll(() => stack?.close())

function edit(orderId: string, body: unknown, key: string = randomUUID()) {
  return stack.call('POST', `/v1/orders/${orderId}/edits`, { token: customer, body, headers: { 'Idempotency-Key': key } })
}

describe('an order edited over HTTP', () => {
  it('answers the edited order once per key, 409 with the reason when refused, and nothing once the carrier has it', async () => {
    const [mug, cap] = (await createProducts(stack.services.db, [
      { onHand: 5, unitPrice: 1_000 },
      { onHand: 5, unitPrice: 2_500 },
    ])) as [string, string]
    const placed = await stack.call('POST', '/v1/orders', {
      token: customer,
      body: {
        lines: [{ sku: mug, quantity: 1 }],
        paymentMethod: 'card',
        paymentToken: 'tok_visa',
        currency: 'USD',
        shippingAddress: shippingAddressInput,
      },
      headers: { 'Idempotency-Key': randomUUID() },
    })
    expect(placed.status).toBe(201)
    const orderId: string = placed.body.id
    const labelled = await waitForHttpOrder(stack, customer, orderId, (order) => order.shipments[0]?.trackingNumber)

    const key = randomUUID()
    const newLines = [
      { sku: mug, quantity: 1 },
      { sku: cap, quantity: 2 },
    ]
    const edited = await edit(orderId, { lines: newLines }, key)
    expect(edited.status, JSON.stringify(edited.body)).toBe(200)
    expect(edited.body.lines.map((line: { sku: string; quantity: number }) => [line.sku, line.quantity])).toEqual([
      [mug, 1],
      [cap, 2],
    ])
    expect(edited.body.totals.subtotal).toBe(6_000)
    expect(edited.body.totals.total).toBeGreaterThan(labelled.totals.total)
    expect(edited.body.version).toBeGreaterThan(labelled.version)
    const parcelUnits = edited.body.shipments
      .filter((parcel: { status: string }) => parcel.status !== 'CANCELLED' && parcel.status !== 'LABEL_CANCELLED')
      .flatMap((parcel: { lines: unknown[] }) => parcel.lines)
    expect(parcelUnits).toEqual(expect.arrayContaining([{ sku: cap, quantity: 2 }]))
    expect(await stockOf(stack.services.db, cap)).toEqual({ on_hand: 5, reserved: 2 })

    const again = await edit(orderId, { lines: newLines }, key)
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.version).toBe(edited.body.version)
    expect((await edit(orderId, { lines: [{ sku: mug, quantity: 3 }] }, key)).status).toBe(422)

    const unchanged = await edit(orderId, { lines: newLines })
    expect(unchanged.status).toBe(409)
    expect(unchanged.body).toMatchObject({ code: 'order_update_refused', reason: 'nothing_changed' })

    const tooMany = await edit(orderId, { lines: [{ sku: cap, quantity: 6 }] })
    expect(tooMany.status).toBe(409)
    expect(tooMany.body.reason).toBe('out_of_stock')
    expect(await stockOf(stack.services.db, cap)).toEqual({ on_hand: 5, reserved: 2 })
    expect(await stockOf(stack.services.db, mug)).toEqual({ on_hand: 5, reserved: 1 })

    const timeline = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token: customer })
    expect(timeline.body.data.filter((entry: { type: string }) => entry.type === 'order_edited')).toHaveLength(1)

    const current = await waitForHttpOrder(stack, customer, orderId, (order) => order.version >= edited.body.version)
    const picked = await stack.carrier({
      eventId: randomUUID(),
      trackingNumber: current.shipment.trackingNumber,
      status: 'PICKED_UP',
      occurredAt: new Date().toISOString(),
    })
    expect(picked.status).toBe(202)
    await waitForHttpOrder(stack, customer, orderId, (order) => order.fulfillmentStatus !== 'LABEL_CREATED')
    const late = await edit(orderId, { lines: [{ sku: mug, quantity: 2 }] })
    expect(late.status).toBe(409)
    expect(late.body.reason).toBe('already_shipped')
    expect(stack.contractViolations).toEqual([])
    console.info(
      `edited ${orderId}: total ${labelled.totals.total} → ${edited.body.totals.total}, version ${labelled.version} → ${edited.body.version}; ` +
        `refusals: ${unchanged.body.reason}, ${tooMany.body.reason}, ${late.body.reason}`,
    )
  })
})

import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orderWorkflowId } from '../workflows/messages.js'
import { createProducts, paymentsOf, stockOf } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settled } from './support/patience.js'

let stack: HttpStack
let customer: string
// This file's customer: other files place orders in the same database at the same time.
const customerId = `cust_${randomUUID().slice(0, 8)}`
let admin: string

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', customerId)
  admin = await stack.token('admin', 'admin_e2e')
})
afterAll(() => stack?.close())

const shippingAddress = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' }

async function place(body: Record<string, unknown>, key: string = randomUUID(), token = customer) {
  return stack.call('POST', '/v1/orders', { token, body, headers: { 'Idempotency-Key': key } })
}

async function deliver(trackingNumber: string, statuses: string[]) {
  for (const status of statuses) {
    const answer = await stack.carrier({ eventId: randomUUID(), trackingNumber, status, occurredAt: new Date().toISOString() })
    expect(answer.status).toBe(202)
  }
}

describe('through HTTP only', () => {
  it('a card order travels from placement to DELIVERED', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 3, unitPrice: 1_999 }])
    const placed = await place({
      lines: [{ sku, quantity: 2 }],
      paymentMethod: 'card',
      paymentToken: 'tok_visa',
      shippingAddress,
    })

    expect(placed.status).toBe(201)
    expect(placed.headers.get('location')).toBe(`/v1/orders/${placed.body.id}`)
    expect(placed.body).toMatchObject({
      status: 'PENDING',
      paymentStatus: 'PENDING',
      fulfillmentStatus: 'UNFULFILLED',
      paymentMethod: 'card',
      totals: { currency: 'USD', subtotal: 3_998, shipping: 599, total: 4_597 },
      shipment: null,
    })
    const labelled = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null)
    expect(labelled).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'AUTHORIZED', shipment: { carrier: 'simcarrier' } })

    await deliver(labelled.shipment.trackingNumber, ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'])
    const delivered = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'DELIVERED')
    expect(delivered).toMatchObject({ paymentStatus: 'PAID', fulfillmentStatus: 'DELIVERED' })

    // The list reads the read model, which the workflow writes just after its live state moves on.
    await expect
      .poll(async () => (await stack.call('GET', '/v1/orders?limit=1', { token: customer })).body.data[0], settled)
      .toMatchObject({ id: placed.body.id, status: 'DELIVERED' })
  })

  it('a cash-on-delivery order waits for an admin, who confirms it, then travels to DELIVERED', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 1 }])
    const placed = await place({ lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress })
    expect(placed.status).toBe(201)
    const waiting = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect(waiting.codConfirmationDeadline).toEqual(expect.any(String))

    const byCustomer = await stack.call('POST', `/v1/orders/${placed.body.id}/cod-confirmation`, { token: customer })
    expect(byCustomer.status).toBe(403)
    expect(byCustomer.headers.get('content-type')).toBe('application/problem+json')

    const confirmed = await stack.call('POST', `/v1/orders/${placed.body.id}/cod-confirmation`, { token: admin })
    expect(confirmed.status).toBe(200)
    expect(confirmed.body.status).toBe('CONFIRMED')

    const labelled = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null)
    await deliver(labelled.shipment.trackingNumber, ['PICKED_UP', 'DELIVERED'])
    const delivered = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'DELIVERED')
    expect(delivered.paymentStatus).toBe('PAID')
  })

  it('an order carries on after its worker is restarted in the middle of it', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 2 }])
    const placed = await place({
      lines: [{ sku, quantity: 1 }],
      paymentMethod: 'card',
      paymentToken: 'tok_visa',
      shippingAddress,
    })
    const labelled = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null)

    await stack.worker.stop()
    await deliver(labelled.shipment.trackingNumber, ['PICKED_UP'])
    const whileDown = await stack.call('GET', `/v1/orders/${placed.body.id}`, { token: customer })
    expect(whileDown.status).toBe(200)
    expect(whileDown.body.status).toBe('CONFIRMED')

    await stack.restartWorker()
    await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'SHIPPED')
    await deliver(labelled.shipment.trackingNumber, ['DELIVERED'])
    const delivered = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'DELIVERED')
    expect(delivered.paymentStatus).toBe('PAID')
    expect(await stockOf(stack.services.db, sku!)).toEqual({ on_hand: 1, reserved: 0 })
  })
})

describe('placing an order is idempotent', () => {
  it('20 identical requests at once make one order, one workflow and one charge; retries get the stored answer', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 5 }])
    const body = { lines: [{ sku, quantity: 1 }], paymentMethod: 'card', paymentToken: 'tok_visa', shippingAddress }
    const key = randomUUID()
    const answers = await Promise.all(Array.from({ length: 20 }, () => place(body, key)))

    // The first request answers 201; those that arrive while it is in flight get 409, those after it the stored 201.
    for (const answer of answers) expect([201, 409]).toContain(answer.status)
    const created = answers.filter((answer) => answer.status === 201)
    expect(created.filter((answer) => answer.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1)
    for (const conflict of answers.filter((answer) => answer.status === 409)) {
      expect(conflict.body.code).toBe('idempotency_key_in_flight')
    }
    const ids = new Set(created.map((answer) => answer.body.id))
    expect(ids.size).toBe(1)
    const [orderId] = ids
    const again = await place(body, key)
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(created[0]?.body)

    const rows = await stack.services.db.selectFrom('orders').select('id').where('id', '=', orderId).execute()
    expect(rows).toHaveLength(1)
    const runs = await stack.services.client.workflow.count(`WorkflowId = '${orderWorkflowId(orderId)}'`)
    expect(runs.count).toBe(1)
    await waitForHttpOrder(stack, customer, orderId, (order) => order.paymentStatus === 'AUTHORIZED')
    expect(await paymentsOf(stack.services.db, orderId)).toHaveLength(1)
    expect(await stockOf(stack.services.db, sku!)).toEqual({ on_hand: 5, reserved: 1 })
  })

  it('the same key with another body is 422, and a missing key is 400', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 5 }])
    const key = randomUUID()
    expect((await place({ lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress }, key)).status).toBe(201)
    const reused = await place({ lines: [{ sku, quantity: 2 }], paymentMethod: 'cod', shippingAddress }, key)
    expect(reused.status).toBe(422)
    expect(reused.body.code).toBe('idempotency_key_reused')

    const keyless = await stack.call('POST', '/v1/orders', {
      token: customer,
      body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress },
    })
    expect(keyless.status).toBe(400)
    expect(keyless.body).toMatchObject({ code: 'invalid_request', errors: [{ in: 'header', field: 'idempotency-key' }] })
  })
})

describe('orders belong to their customer', () => {
  it("someone else's order is 404, no token is 401, and the owner cancels before pickup", async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 1 }])
    const placed = await place({
      lines: [{ sku, quantity: 1 }],
      paymentMethod: 'card',
      paymentToken: 'tok_visa',
      shippingAddress,
    })
    const stranger = await stack.token('customer', 'cust_stranger')

    const peek = await stack.call('GET', `/v1/orders/${placed.body.id}`, { token: stranger })
    expect(peek.status).toBe(404)
    expect((await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, { token: stranger, body: {} })).status).toBe(
      404,
    )
    const anonymous = await stack.call('GET', `/v1/orders/${placed.body.id}`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json')

    await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null)
    const cancelled = await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, {
      token: customer,
      body: { reason: 'ordered twice' },
    })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({
      status: 'CANCELLED',
      paymentStatus: 'VOIDED',
      cancellation: { reason: 'customer_request', note: 'ordered twice' },
    })
    expect(await stockOf(stack.services.db, sku!)).toEqual({ on_hand: 1, reserved: 0 })
  })

  it('a cancellation after pickup is 409 with the reason', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 1 }])
    const placed = await place({
      lines: [{ sku, quantity: 1 }],
      paymentMethod: 'card',
      paymentToken: 'tok_visa',
      shippingAddress,
    })
    const labelled = await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.shipment !== null)
    await deliver(labelled.shipment.trackingNumber, ['PICKED_UP'])
    await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'SHIPPED')

    const refused = await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, { token: admin, body: {} })
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ code: 'order_update_refused', reason: 'already_shipped', status: 409 })
  })
})

describe('bad input gets a clear problem and changes nothing', () => {
  it('names each invalid field', async () => {
    const answer = await place({
      lines: [{ sku: 'X', quantity: 0 }],
      paymentMethod: 'card',
      shippingAddress: { ...shippingAddress, country: 'usa' },
      total: 1,
    })
    expect(answer.status).toBe(400)
    expect(answer.headers.get('content-type')).toBe('application/problem+json')
    expect(answer.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(
      ['lines.0.quantity', 'paymentToken', 'shippingAddress.country', 'total'].sort(),
    )
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'))
  })

  it('an unknown SKU is 422 naming the line, and starts no order', async () => {
    const before = await stack.services.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow()
    const answer = await place({ lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }], paymentMethod: 'cod', shippingAddress })
    expect(answer.status).toBe(422)
    expect(answer.body.errors).toEqual([{ in: 'body', field: 'lines.0.sku', reason: 'no product has SKU NO-SUCH-SKU' }])
    const after = await stack.services.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
  })

  it('malformed JSON is 400, not 500', async () => {
    const answer = await stack.call('POST', '/v1/orders', {
      token: customer,
      body: '{"lines": [',
      headers: { 'Idempotency-Key': randomUUID() },
    })
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('invalid_request')
  })

  it('carrier events need a valid signature and a known tracking number', async () => {
    const event = { eventId: randomUUID(), trackingNumber: 'SIM-NOPE', status: 'PICKED_UP', occurredAt: new Date().toISOString() }
    expect((await stack.carrier(event, { secret: 'wrong-secret-0123456789' })).status).toBe(401)
    const unknown = await stack.carrier(event)
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe('unknown_tracking_number')
    expect((await stack.carrier({ ...event, status: 'TELEPORTED' })).status).toBe(400)
  })
})

describe('service endpoints', () => {
  it('report health and readiness, and list the catalog publicly', async () => {
    expect((await stack.call('GET', '/health')).body).toEqual({ status: 'ok' })
    expect((await stack.call('GET', '/ready')).body).toEqual({ status: 'ok', checks: { postgres: 'ok', temporal: 'ok' } })
    const [sku] = await createProducts(stack.services.db, [{ onHand: 7, unitPrice: 1_234 }])
    const products = await stack.call('GET', '/v1/products')
    expect(products.body.data).toContainEqual(
      expect.objectContaining({ sku, available: 7, prices: [{ currency: 'USD', unitPrice: 1_234 }] }),
    )
  })
})

describe('the contract', () => {
  it('held for every response in this file', () => {
    expect(stack.contractViolations).toEqual([])
  })
})

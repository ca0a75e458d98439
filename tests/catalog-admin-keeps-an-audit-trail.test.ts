import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureShippingRate, stockOf } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'

let stack: HttpStack
let admin: string
let customer: string

beforeAll(async () => {
  stack = await startHttpStack()
  admin = await stack.token('admin', 'admin_catalog')
  customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  await ensureShippingRate(stack.services.db)
})
afterAll(() => stack?.close())

const newSku = () => `ADM-${randomUUID().slice(0, 8).toUpperCase()}`
const mug = {
  name: 'Enamel mug',
  description: 'Camp style, 300 ml',
  active: true,
  prices: [
    { currency: 'USD', unitPrice: 1_400 },
    { currency: 'EUR', unitPrice: 1_300 },
  ],
}

function put(sku: string, body: unknown, token = admin) {
  return stack.call('PUT', `/v1/products/${sku}`, { token, body })
}

function adjust(sku: string, body: unknown, key: string | null = randomUUID(), token = admin) {
  return stack.call('POST', `/v1/products/${sku}/stock-adjustments`, {
    token,
    body,
    headers: key === null ? {} : { 'Idempotency-Key': key },
  })
}

function auditOf(sku: string) {
  return stack.services.db.selectFrom('catalog_audit').selectAll().where('sku', '=', sku).orderBy('id').execute()
}

/** A product with stock on hand, made through the API. */
async function stockedProduct(onHand: number): Promise<string> {
  const sku = newSku()
  expect((await put(sku, mug)).status).toBe(201)
  if (onHand > 0) expect((await adjust(sku, { delta: onHand, reason: 'opening stock' })).status).toBe(201)
  return sku
}

describe('PUT /v1/products/:sku', () => {
  it('creates a product with no stock, then updates it, recording who changed what before and after', async () => {
    const sku = newSku()
    const created = await put(sku, mug)
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/v1/products/${sku}`)
    expect(created.body).toMatchObject({
      sku,
      name: 'Enamel mug',
      active: true,
      prices: [
        { currency: 'EUR', unitPrice: 1_300 },
        { currency: 'USD', unitPrice: 1_400 },
      ],
      onHand: 0,
      reserved: 0,
      available: 0,
    })
    const listed = await stack.call('GET', '/v1/products')
    expect(listed.body.data).toContainEqual(expect.objectContaining({ sku, available: 0 }))

    const updated = await put(sku, { ...mug, name: 'Enamel mug (blue)', prices: [{ currency: 'USD', unitPrice: 1_500 }] })
    expect(updated.status).toBe(200)
    expect(updated.body).toMatchObject({ name: 'Enamel mug (blue)', prices: [{ currency: 'USD', unitPrice: 1_500 }] })
    const prices = await stack.services.db.selectFrom('product_prices').selectAll().where('sku', '=', sku).execute()
    expect(prices).toEqual([{ sku, currency: 'USD', unit_amount: 1_500 }])

    // The same PUT again changes nothing and records nothing.
    expect((await put(sku, { ...mug, name: 'Enamel mug (blue)', prices: [{ currency: 'USD', unitPrice: 1_500 }] })).status).toBe(
      200,
    )
    const retired = await put(sku, {
      ...mug,
      name: 'Enamel mug (blue)',
      prices: [{ currency: 'USD', unitPrice: 1_500 }],
      active: false,
    })
    expect(retired.body.active).toBe(false)
    expect((await stack.call('GET', '/v1/products')).body.data).not.toContainEqual(expect.objectContaining({ sku }))

    const audit = await auditOf(sku)
    expect(audit.map((entry) => entry.action)).toEqual(['product_created', 'product_updated', 'product_updated'])
    expect(audit.every((entry) => entry.actor === 'admin:admin_catalog')).toBe(true)
    expect(audit[0]).toMatchObject({
      before: null,
      after: { name: 'Enamel mug', description: 'Camp style, 300 ml', active: true, prices: { EUR: 1_300, USD: 1_400 } },
    })
    expect(audit[1]).toMatchObject({
      before: { name: 'Enamel mug', prices: { EUR: 1_300, USD: 1_400 } },
      after: { name: 'Enamel mug (blue)', prices: { USD: 1_500 } },
    })
    expect(audit[2]).toMatchObject({ before: { active: true }, after: { active: false } })
    expect(audit[0]!.occurred_at.getTime()).toBeLessThanOrEqual(audit[2]!.occurred_at.getTime())
  })

  it('is for admins only, and names every invalid field', async () => {
    const sku = newSku()
    expect((await put(sku, mug, customer)).status).toBe(403)
    expect((await stack.call('PUT', `/v1/products/${sku}`, { body: mug })).status).toBe(401)
    const invalid = await put(sku, {
      name: '',
      prices: [
        { currency: 'usd', unitPrice: 100 },
        { currency: 'EUR', unitPrice: -1 },
        { currency: 'EUR', unitPrice: 12.5 },
      ],
      colour: 'blue',
    })
    expect(invalid.status).toBe(400)
    expect(invalid.headers.get('content-type')).toBe('application/problem+json')
    expect(invalid.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(
      ['colour', 'name', 'prices.0.currency', 'prices.1.unitPrice', 'prices.2.unitPrice'].sort(),
    )
    const duplicate = await put(sku, {
      ...mug,
      prices: [
        { currency: 'USD', unitPrice: 1 },
        { currency: 'USD', unitPrice: 2 },
      ],
    })
    expect(duplicate.body.errors).toEqual([{ in: 'body', field: 'prices.1.currency', reason: 'USD is priced twice' }])
    expect((await put('bad sku!', mug)).body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'sku' })])
    expect(await auditOf(sku)).toEqual([])
  })
})

describe('POST /v1/products/:sku/stock-adjustments', () => {
  it('adds and removes stock on hand, once per Idempotency-Key, with the reason in the audit trail', async () => {
    const sku = await stockedProduct(0)
    const key = randomUUID()
    const received = await adjust(sku, { delta: 12, reason: 'delivery PO-1187' }, key)
    expect(received.status).toBe(201)
    expect(received.body).toMatchObject({ sku, delta: 12, reason: 'delivery PO-1187', onHand: 12, reserved: 0, available: 12 })

    const retried = await adjust(sku, { delta: 12, reason: 'delivery PO-1187' }, key)
    expect(retried.status).toBe(201)
    expect(retried.headers.get('idempotent-replayed')).toBe('true')
    expect(retried.body).toEqual(received.body)
    const reused = await adjust(sku, { delta: 13, reason: 'delivery PO-1187' }, key)
    expect(reused.status).toBe(422)
    expect(reused.body.code).toBe('idempotency_key_reused')

    expect((await adjust(sku, { delta: -2, reason: 'damaged in store' })).body.onHand).toBe(10)
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 10, reserved: 0 })
    const adjustments = (await auditOf(sku)).filter((entry) => entry.action === 'stock_adjusted')
    expect(adjustments).toMatchObject([
      { reason: 'delivery PO-1187', idempotency_key: key, before: { onHand: 0 }, after: { onHand: 12 } },
      { reason: 'damaged in store', before: { onHand: 12 }, after: { onHand: 10 } },
    ])
  })

  it('never takes stock on hand below what open orders have reserved: 409 naming delta, nothing changed', async () => {
    const sku = await stockedProduct(3)
    const placed = await stack.call('POST', '/v1/orders', {
      token: customer,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        lines: [{ sku, quantity: 2 }],
        paymentMethod: 'cod',
        shippingAddress: { name: 'Ada', line1: '1 Lane', city: 'London', postalCode: 'N1', country: 'GB' },
      },
    })
    expect(placed.status).toBe(201)
    await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 3, reserved: 2 })

    const key = randomUUID()
    const refused = await adjust(sku, { delta: -2, reason: 'stock count' }, key)
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({
      code: 'stock_below_reserved',
      errors: [{ in: 'body', field: 'delta', reason: 'would leave 1 on hand, but 2 are reserved by open orders' }],
    })
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 3, reserved: 2 })
    // A refusal frees its key: the corrected request may use it.
    expect((await adjust(sku, { delta: -1, reason: 'stock count' }, key)).body).toMatchObject({ onHand: 2, available: 0 })
  })

  it('queues concurrent adjustments: 20 at once removing one unit from 10 leave 0, never less, and a gapless trail', async () => {
    const sku = await stockedProduct(10)
    const answers = await Promise.all(Array.from({ length: 20 }, () => adjust(sku, { delta: -1, reason: 'shrinkage' })))
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(10)
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(10)
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 0, reserved: 0 })

    const trail = (await auditOf(sku)).filter((entry) => entry.reason === 'shrinkage')
    expect(trail.map((entry) => [entry.before?.['onHand'], entry.after['onHand']])).toEqual(
      Array.from({ length: 10 }, (_, index) => [10 - index, 9 - index]),
    )
  })

  it('applies 10 concurrent retries of one request once', async () => {
    const sku = await stockedProduct(0)
    const key = randomUUID()
    const answers = await Promise.all(Array.from({ length: 10 }, () => adjust(sku, { delta: 5, reason: 'recount' }, key)))
    for (const answer of answers) expect([201, 409]).toContain(answer.status)
    expect(answers.filter((answer) => answer.status === 201 && !answer.headers.get('idempotent-replayed'))).toHaveLength(1)
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 5, reserved: 0 })
    expect((await auditOf(sku)).filter((entry) => entry.action === 'stock_adjusted')).toHaveLength(1)
  })

  it('needs an admin, an Idempotency-Key, a known product and a valid body', async () => {
    const sku = await stockedProduct(1)
    expect((await adjust(sku, { delta: 1, reason: 'x' }, randomUUID(), customer)).status).toBe(403)
    const keyless = await adjust(sku, { delta: 1, reason: 'x' }, null)
    expect(keyless.status).toBe(400)
    expect(keyless.body).toMatchObject({ code: 'invalid_request', errors: [{ in: 'header', field: 'idempotency-key' }] })
    const unknown = await adjust('NO-SUCH-SKU', { delta: 1, reason: 'x' })
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe('product_not_found')
    const invalid = await adjust(sku, { delta: 0, reason: '', by: 'me' })
    expect(invalid.status).toBe(400)
    expect(invalid.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['by', 'delta', 'reason'])
    expect((await adjust(sku, { delta: 1.5, reason: 'x' })).body.errors).toEqual([expect.objectContaining({ field: 'delta' })])
    expect(await stockOf(stack.services.db, sku)).toEqual({ on_hand: 1, reserved: 0 })
  })
})

describe('the catalog audit trail', () => {
  it('is readable by admins, newest first, page by page', async () => {
    const sku = await stockedProduct(4)
    expect((await adjust(sku, { delta: 1, reason: 'found one' })).status).toBe(201)
    const first = await stack.call('GET', `/v1/products/${sku}/audit?limit=2`, { token: admin })
    expect(first.status).toBe(200)
    expect(first.body.data.map((entry: { action: string; reason: string | null }) => [entry.action, entry.reason])).toEqual([
      ['stock_adjusted', 'found one'],
      ['stock_adjusted', 'opening stock'],
    ])
    expect(first.body.data[0]).toMatchObject({ actor: 'admin:admin_catalog', before: { onHand: 4 }, after: { onHand: 5 } })
    const second = await stack.call('GET', `/v1/products/${sku}/audit?limit=2&cursor=${first.body.nextCursor}`, { token: admin })
    expect(second.body).toMatchObject({ data: [{ action: 'product_created' }], nextCursor: null })
    expect((await stack.call('GET', `/v1/products/${sku}/audit`, { token: customer })).status).toBe(403)
    expect((await stack.call('GET', `/v1/products/NO-SUCH-SKU/audit`, { token: admin })).status).toBe(404)
  })

  it('cannot be rewritten: updates and deletes are refused by the database', async () => {
    const sku = await stockedProduct(1)
    await expect(
      sql`update catalog_audit set actor = 'someone else' where sku = ${sku}`.execute(stack.services.db),
    ).rejects.toThrow(/append-only/)
    await expect(sql`delete from catalog_audit where sku = ${sku}`.execute(stack.services.db)).rejects.toThrow(/append-only/)
    expect(await auditOf(sku)).toHaveLength(2)
  })

  it('every admin route is declared as one in the OpenAPI document', async () => {
    const answer = await stack.call('GET', '/openapi.json')
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const doc = answer.body
    const adminRoutes = Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(
      ([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => operation['x-required-role'] === 'admin')
          .map(([method]) => `${method.toUpperCase()} ${path}`),
    )
    expect(adminRoutes.sort()).toEqual(
      [
        'GET /v1/products/{sku}/audit',
        'POST /v1/orders/{id}/cod-confirmation',
        'POST /v1/orders/{id}/cod-settlement',
        'POST /v1/orders/{id}/cod-refunds/{refundId}/settlement',
        'POST /v1/orders/{id}/refunds',
        'POST /v1/returns/{id}/approval',
        'POST /v1/returns/{id}/rejection',
        'POST /v1/returns/{id}/receipt',
        'POST /v1/products/{sku}/stock-adjustments',
        'PUT /v1/products/{sku}',
        'GET /v1/stock-locations',
        'PUT /v1/stock-locations/{id}',
        'GET /v1/webhook-endpoints',
        'POST /v1/webhook-endpoints',
        'GET /v1/webhook-endpoints/{id}',
        'PATCH /v1/webhook-endpoints/{id}',
        'DELETE /v1/webhook-endpoints/{id}',
        'POST /v1/webhook-endpoints/{id}/secret-rotation',
        'GET /v1/webhook-endpoints/{id}/deliveries',
        'POST /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redelivery',
      ].sort(),
    )
  })
})

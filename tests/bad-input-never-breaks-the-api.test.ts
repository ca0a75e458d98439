import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProducts } from './support/fixtures.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'

let stack: HttpStack
let customer: string
const customerId = `cust_${randomUUID().slice(0, 8)}`
let admin: string
let sku: string

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', customerId)
  admin = await stack.token('admin', 'admin_fuzz')
  ;[sku] = (await createProducts(stack.services.db, [{ onHand: 1_000 }])) as [string]
})
afterAll(() => stack?.close())

const validBody = () => ({
  lines: [{ sku, quantity: 1 }],
  paymentMethod: 'cod',
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
})

/** Anything JSON can carry, including the awkward values. */
const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 101, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1.5),
  fc.string(),
  fc.string({ minLength: 300, maxLength: 2_000 }),
  fc.array(fc.integer(), { maxLength: 60 }),
  fc.object(),
)

/** A valid placement with one field replaced, removed or added. */
const mutatedBody = fc.oneof(
  fc
    .record({ field: fc.constantFrom('lines', 'paymentMethod', 'paymentToken', 'currency', 'shippingAddress'), value: anyJson })
    .map(({ field, value }) => ({ ...validBody(), [field]: value })),
  fc
    .record({ field: fc.constantFrom('sku', 'quantity', 'extra'), value: anyJson })
    .map(({ field, value }) => ({ ...validBody(), lines: [{ sku, quantity: 1, [field]: value }] })),
  fc
    .record({
      field: fc.constantFrom('name', 'line1', 'city', 'postalCode', 'country', 'region', 'line2', 'unexpected'),
      value: anyJson,
    })
    .map(({ field, value }) => ({
      ...validBody(),
      shippingAddress: { ...validBody().shippingAddress, [field]: value },
    })),
  fc.constantFrom('lines', 'paymentMethod', 'shippingAddress').map((field) => {
    const body: Record<string, unknown> = validBody()
    delete body[field]
    return body
  }),
  fc
    .record({ key: fc.constantFrom('total', 'price', 'customerId', 'status', 'unitPrice'), value: anyJson })
    .map(({ key, value }) => ({ ...validBody(), [key]: value })),
  anyJson,
)

/** This file's customer's orders: other files place orders in the same database at the same time. */
async function orderCount(): Promise<number> {
  const row = await stack.services.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', customerId)
    .executeTakeFirstOrThrow()
  return row.n
}

describe('malformed, oversized, mistyped and extra-field input', () => {
  it('to POST /v1/orders gets a documented 4xx problem and places nothing', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBody, async (body) => {
        const before = await orderCount()
        const answer = await stack.call('POST', '/v1/orders', {
          token: customer,
          body,
          headers: { 'Idempotency-Key': randomUUID() },
        })
        if (answer.status === 201) {
          expect(await orderCount()).toBe(before + 1)
          return
        }
        expect(answer.status).toBeGreaterThanOrEqual(400)
        expect(answer.status).toBeLessThan(500)
        expect(answer.headers.get('content-type')).toBe('application/problem+json')
        expect(answer.body.detail).toEqual(expect.any(String))
        expect(await orderCount()).toBe(before)
      }),
      { numRuns: 120 },
    )
  })

  it('to the list query, the order path, cancellation and carrier events gets a documented 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ limit: fc.string(), cursor: fc.string() }).map(({ limit, cursor }) => ({
            method: 'GET',
            path: `/v1/orders?limit=${encodeURIComponent(limit)}&cursor=${encodeURIComponent(cursor)}`,
            body: undefined,
          })),
          fc
            .string({ minLength: 1 })
            .map((id) => ({ method: 'GET', path: `/v1/orders/${encodeURIComponent(id)}`, body: undefined })),
          anyJson.map((body) => ({ method: 'POST', path: `/v1/orders/${randomUUID()}/cancellation`, body })),
          anyJson.map((body) => ({ method: 'POST', path: `/v1/orders/${randomUUID()}/cod-confirmation`, body })),
        ),
        async ({ method, path, body }) => {
          const answer = await stack.call(method, path, { token: path.includes('cod-confirmation') ? admin : customer, body })
          if (answer.status === 200) return
          expect(answer.status).toBeGreaterThanOrEqual(400)
          expect(answer.status).toBeLessThan(500)
          expect(answer.headers.get('content-type')).toBe('application/problem+json')
        },
      ),
      { numRuns: 120 },
    )
    const events = await fc.sample(anyJson, 40)
    for (const body of events) {
      const answer = await stack.carrier(
        typeof body === 'object' && body !== null && !Array.isArray(body) ? body : { value: body },
      )
      expect([400, 404]).toContain(answer.status)
    }
  })

  it('kept every answer within the documented contract', () => {
    expect(stack.contractViolations).toEqual([])
  })
})

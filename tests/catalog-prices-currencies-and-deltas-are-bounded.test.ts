import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InProcessApp, inProcessApp } from './support/in-process-app.js'

let api: InProcessApp
let admin: string
beforeAll(async () => {
  api = inProcessApp()
  admin = await api.token('admin', 'admin_bounds')
})
afterAll(() => api?.close())

async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await api.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the problem as JSON
  return { status: response.status, body: (await response.json()) as any }
}

const newSku = () => `BND-${randomUUID().slice(0, 8).toUpperCase()}`
const product = (currency: string, unitPrice: number) => ({ name: 'Bounded mug', prices: [{ currency, unitPrice }] })

describe('a product price', () => {
  it.each(['AUF', 'LAR', 'XYZ'])('in %s, three capitals but no ISO 4217 currency, is refused', async (currency) => {
    const answer = await call('PUT', `/v1/products/${newSku()}`, product(currency, 1_000))
    console.log(`currency ${currency}: ${answer.status} ${answer.body.detail}`)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([
      {
        in: 'body',
        field: 'prices.0.currency',
        reason: `${currency} is not an ISO 4217 currency code (such as USD, EUR or GBP)`,
      },
    ])
  })

  it.each([0, 6.8e12, 100_000_000])('of %d minor units is refused', async (unitPrice) => {
    const answer = await call('PUT', `/v1/products/${newSku()}`, product('USD', unitPrice))
    console.log(`unitPrice ${unitPrice}: ${answer.status} ${answer.body.detail}`)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'prices.0.unitPrice' })])
  })

  it.each([
    ['JPY', 1],
    ['EUR', 99_999_999],
    ['KWD', 12_500],
  ])('in %s of %d minor units is accepted', async (currency, unitPrice) => {
    expect((await call('PUT', `/v1/products/${newSku()}`, product(currency, unitPrice))).status).toBe(201)
  })
})

describe('a stock adjustment', () => {
  it('of 0 units, or of more than a million either way, is refused', async () => {
    const sku = newSku()
    expect((await call('PUT', `/v1/products/${sku}`, product('USD', 1_000))).status).toBe(201)
    for (const delta of [0, 1_000_001, -1_000_001]) {
      const answer = await call(
        'POST',
        `/v1/products/${sku}/stock-adjustments`,
        { delta, reason: 'count' },
        { 'Idempotency-Key': randomUUID() },
      )
      console.log(`delta ${delta}: ${answer.status} ${answer.body.detail}`)
      expect(answer.status).toBe(400)
      expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'delta' })])
    }
  })

  it('without an Idempotency-Key says which header to send and what to put in it', async () => {
    const answer = await call('POST', `/v1/products/${newSku()}/stock-adjustments`, { delta: 1, reason: 'count' })
    console.log(`no Idempotency-Key: ${answer.status} ${answer.body.detail}`)
    expect(answer.status).toBe(400)
    expect(answer.body.errors).toEqual([
      {
        in: 'header',
        field: 'idempotency-key',
        reason: expect.stringMatching(
          /^is required: send an Idempotency-Key header with a unique key per request, such as a UUID/,
        ),
      },
    ])
    expect(answer.body.detail).not.toMatch(/expected string/)
  })
})

describe('the OpenAPI document', () => {
  it('describes the bounds', async () => {
    const doc = (await (await api.app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties: Record<string, { [key: string]: unknown }> }> }
    }
    const { ProductInput, StockAdjustmentRequest } = doc.components.schemas
    const price = (ProductInput?.properties['prices'] as { items: { properties: Record<string, object> } }).items.properties
    expect(price['unitPrice']).toMatchObject({ type: 'integer', minimum: 1, maximum: 99_999_999 })
    expect(price['currency']).toMatchObject({ pattern: '^[A-Z]{3}$', description: expect.stringContaining('ISO 4217') })
    expect(StockAdjustmentRequest?.properties['delta']).toMatchObject({
      minimum: -1_000_000,
      maximum: 1_000_000,
      description: expect.stringContaining('never 0'),
    })
    expect(ProductInput?.properties['name']).toMatchObject({
      minLength: 1,
      maxLength: 200,
      pattern: expect.stringContaining('\\u0000'),
    })
  })
})

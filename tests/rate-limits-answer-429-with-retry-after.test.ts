import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppEnv } from '../api/app-deps.js'
import { createPostgresRateLimitStore } from '../api/postgres-rate-limit-store.js'
import { rateLimit } from '../api/rate-limit.js'
import { createProducts } from './support/fixtures.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import { logger } from './support/services.js'

// Windows of a day: a burst in a test never straddles two windows.
const DAY = 86_400_000
const shippingAddress = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' }

let stack: HttpStack
beforeAll(async () => {
  stack = await startHttpStack({
    app: { rateLimits: { placeOrder: { limit: 3, windowMs: DAY }, adminActions: { limit: 2, windowMs: DAY } } },
  })
})
afterAll(() => stack?.close())

describe('over HTTP, per caller', () => {
  it('POST /v1/orders allows each customer 3 placements, then answers 429 problem+json with Retry-After', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 10 }])
    const body = { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress }
    const greedy = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const place = (token: string) =>
      stack.call('POST', '/v1/orders', { token, body, headers: { 'Idempotency-Key': randomUUID() } })

    const allowed = [await place(greedy), await place(greedy), await place(greedy)]
    expect(allowed.map((answer) => answer.status)).toEqual([201, 201, 201])
    expect(allowed.map((answer) => answer.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0'])

    const refused = await place(greedy)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(refused.body).toMatchObject({ code: 'rate_limited', status: 429, title: 'Too many requests' })
    expect(refused.body.requestId).toBe(refused.headers.get('x-request-id'))
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(DAY / 1000)
    const orders = await stack.services.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('lines', '@>', JSON.stringify([{ sku }]) as never)
      .executeTakeFirstOrThrow()
    expect(orders.n).toBe(3)

    const patient = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    expect((await place(patient)).status).toBe(201)
  })

  it('a placement whose body is not valid (400) is not counted: it is counted with its Idempotency-Key, a retry too', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 10 }])
    const body = { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress }
    const customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const place = (payload: unknown, key = randomUUID()) =>
      stack.call('POST', '/v1/orders', { token: customer, body: payload, headers: { 'Idempotency-Key': key } })

    const invalid = [await place({ ...body, lines: [] }), await place({ ...body, paymentMethod: 'barter' })]
    const key = randomUUID()
    const first = await place(body, key)
    const retry = await place(body, key)
    const next = await place(body)
    console.log(
      `invalid: ${invalid.map((answer) => answer.status).join(', ')}; placed, retried, placed: ` +
        [first, retry, next]
          .map((answer) => `${answer.status} (remaining ${answer.headers.get('ratelimit-remaining')})`)
          .join(', '),
    )
    expect(invalid.map((answer) => answer.status)).toEqual([400, 400])
    expect([first, retry, next].map((answer) => answer.status)).toEqual([201, 201, 201])
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect([first, retry, next].map((answer) => answer.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0'])
    expect((await place(body)).status).toBe(429)
  })

  it('admin actions are limited per admin, and a customer is refused with 403 before being counted', async () => {
    const admin = await stack.token('admin', `admin_${randomUUID().slice(0, 8)}`)
    const customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const confirm = (token: string) => stack.call('POST', `/v1/orders/${randomUUID()}/cod-confirmation`, { token })

    for (let attempt = 0; attempt < 3; attempt += 1) expect((await confirm(customer)).status).toBe(403)
    expect((await confirm(admin)).status).toBe(404)
    expect((await confirm(admin)).status).toBe(404)
    const refused = await confirm(admin)
    expect(refused.status).toBe(429)
    expect(refused.body.code).toBe('rate_limited')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const otherAdmin = await stack.token('admin', `admin_${randomUUID().slice(0, 8)}`)
    expect((await confirm(otherAdmin)).status).toBe(404)
  })
})

describe('counts kept in Postgres', () => {
  const store = () => createPostgresRateLimitStore(stack.services.db)

  function replica(options: { name: string; limit: number; windowMs: number }) {
    const app = new Hono<AppEnv>()
    app.use(async (c, next) => {
      c.set('logger', logger)
      await next()
    })
    app.post('/act', rateLimit({ ...options, key: () => 'customer:cust_shared', store: store() }), (c) => c.text('done'))
    return app
  }

  it('two API replicas share one budget: of 12 concurrent requests exactly 5 pass', async () => {
    const name = `bucket-${randomUUID()}`
    const replicas = [replica({ name, limit: 5, windowMs: DAY }), replica({ name, limit: 5, windowMs: DAY })]
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        Promise.resolve(replicas[i % 2]!.request('/act', { method: 'POST' })).then((answer) => answer.status),
      ),
    )
    expect(answers.filter((status) => status === 200)).toHaveLength(5)
    expect(answers.filter((status) => status === 429)).toHaveLength(7)
  })

  it('a new window gives the budget back', async () => {
    const app = replica({ name: `bucket-${randomUUID()}`, limit: 1, windowMs: 1_000 })
    const act = async () => app.request('/act', { method: 'POST' })
    expect((await act()).status).toBe(200)
    // The second request may fall in the next one-second window: ask until one is refused.
    let refused = await act()
    for (let attempt = 0; refused.status !== 429 && attempt < 3; attempt += 1) refused = await act()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    const deadline = Date.now() + 5_000
    let status = 429
    while (status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      status = (await act()).status
    }
    expect(status).toBe(200)
  })
})

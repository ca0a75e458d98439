import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { purgeExpiredIdempotencyKeys } from '../commerce/idempotency-key.js'
import { IDEMPOTENCY_KEY_RETENTION_MS } from '../commerce/idempotency-key.js'
import { requestFingerprint } from '../commerce/request-fingerprint.js'
import { createProducts } from './support/fixtures.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'

let stack: HttpStack
let customerId: string
let customer: string

beforeAll(async () => {
  stack = await startHttpStack()
  customerId = `cust_${randomUUID().slice(0, 8)}`
  customer = await stack.token('customer', customerId)
})
afterAll(() => stack?.close())

const shippingAddress = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' }

async function codOrder() {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 5 }])
  return { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress }
}

function place(body: unknown, key: string, token = customer) {
  return stack.call('POST', '/v1/orders', { token, body, headers: { 'Idempotency-Key': key } })
}

/** Puts a key in the state a first request leaves it in while it is still being answered. */
async function inFlightKey(key: string, body: unknown, lockedFor: string) {
  const orderId = randomUUID()
  await stack.services.db
    .insertInto('idempotency_keys')
    .values({
      principal: `customer:${customerId}`,
      key,
      request_hash: requestFingerprint(body),
      order_id: orderId,
      response_status: null,
      response_body: null,
      locked_until: sql<Date>`now() + ${lockedFor}::interval`,
    })
    .execute()
  return orderId
}

describe('Idempotency-Key', () => {
  it('is 409 while the first request with it is still in flight, then answers once that request is done', async () => {
    const body = await codOrder()
    const key = randomUUID()
    await inFlightKey(key, body, '60 seconds')
    const busy = await place(body, key)
    expect(busy.status).toBe(409)
    expect(busy.headers.get('content-type')).toBe('application/problem+json')
    expect(busy.body.code).toBe('idempotency_key_in_flight')
    const orders = await stack.services.db.selectFrom('orders').select('id').where('customer_id', '=', customerId).execute()
    expect(orders).toEqual([])
  })

  it('lets a retry take over a key whose first request was abandoned (its claim expired), with the same order id', async () => {
    const body = await codOrder()
    const key = randomUUID()
    const orderId = await inFlightKey(key, body, '-1 second')
    const retried = await place(body, key)
    expect(retried.status).toBe(201)
    expect(retried.body.id).toBe(orderId)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    const again = await place(body, key)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.id).toBe(orderId)
  })

  it('replays an answer stored before the order view grew a field in the shape the contract documents today', async () => {
    const body = await codOrder()
    const key = randomUUID()
    const first = await place(body, key)
    expect(first.status).toBe(201)
    // As the API stored answers before `payment` was part of the order view (keys live 24 h across a deploy).
    const { payment: _added, ...older } = first.body
    await stack.services.db
      .updateTable('idempotency_keys')
      .set({ response_body: JSON.stringify(older) })
      .where('principal', '=', `customer:${customerId}`)
      .where('key', '=', key)
      .execute()
    const replay = await place(body, key)
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true'])
    expect(replay.body).toMatchObject({
      id: first.body.id,
      payment: { authorized: 0, captured: 0, refunded: 0, refundableUntil: null },
    })
    expect(stack.contractViolations).toEqual([])
  })

  it('is scoped to the caller: two customers using the same key place two orders', async () => {
    const body = await codOrder()
    const key = randomUUID()
    const other = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const [mine, theirs] = [await place(body, key), await place(body, key, other)]
    expect([mine.status, theirs.status]).toEqual([201, 201])
    expect(mine.body.id).not.toBe(theirs.body.id)
    expect(theirs.headers.get('idempotent-replayed')).toBeNull()
  })

  it('is kept for 24 hours, then purged', async () => {
    expect(IDEMPOTENCY_KEY_RETENTION_MS).toBeGreaterThanOrEqual(24 * 3_600_000)
    const principal = `customer:purge-${randomUUID().slice(0, 8)}`
    const row = (key: string, age: string) => ({
      principal,
      key,
      request_hash: 'h',
      order_id: null,
      response_status: 201,
      response_body: JSON.stringify({}),
      locked_until: null,
      created_at: sql<Date>`now() - ${age}::interval`,
    })
    await stack.services.db
      .insertInto('idempotency_keys')
      .values([row('fresh', '1 minute'), row('a-day-old', '23 hours 59 minutes'), row('expired', '24 hours 1 minute')])
      .execute()
    await purgeExpiredIdempotencyKeys(stack.services.db, { batchSize: 1 })
    const left = await stack.services.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('principal', '=', principal)
      .orderBy('key')
      .execute()
    expect(left.map((key) => key.key)).toEqual(['a-day-old', 'fresh'])
  })
})

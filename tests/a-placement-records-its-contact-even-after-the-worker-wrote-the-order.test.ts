/**
 * The placement writes the order's first row, its contact and the key's answer in one statement. When the worker
 * got there first (its row newer), the worker's state stands and the contact is still recorded; when the placement
 * is first, its row has the contact from the start.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { priceOrder } from '../commerce/place-order.js'
import { createDatabase } from '../db/connection.js'
import { takeIdempotencyKey } from '../db/idempotency-keys.js'
import { saveOrderSnapshot, savePlacedOrder } from '../db/order-read-model.js'
import { placedOrder } from '../domain/placed-order.js'
import { address, createProducts } from './support/fixtures.js'

const db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 2 })
afterAll(() => db.destroy())

async function placement() {
  const [sku = ''] = await createProducts(db, [{ onHand: 5 }])
  const input = await priceOrder(
    db,
    { codConfirmationTimeoutMs: 60_000 },
    {
      orderId: randomUUID(),
      customerId: 'cust_contact',
      lines: [{ sku, quantity: 1 }],
      currency: 'USD',
      shippingAddress: address,
      payment: { method: 'cod' },
      placedAt: new Date().toISOString(),
    },
  )
  const key = { principal: 'customer:cust_contact', key: randomUUID() }
  await takeIdempotencyKey(db, { ...key, fingerprint: 'f', orderId: input.orderId, leaseSeconds: 30 })
  const { timeline: _none, ...snapshot } = placedOrder(input)
  return { snapshot, key }
}

function rowOf(orderId: string) {
  return db
    .selectFrom('orders')
    .select(['status', 'version', 'contact_email', 'contact_language'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow()
}

describe('a placement', () => {
  it('records its contact with the row it writes first', async () => {
    const { snapshot, key } = await placement()
    await savePlacedOrder(db, snapshot, { email: 'ada@example.com', language: 'en' }, key, { status: 201, body: {} })
    expect(await rowOf(snapshot.orderId)).toMatchObject({
      status: snapshot.status,
      version: snapshot.version,
      contact_email: 'ada@example.com',
      contact_language: 'en',
    })
  })

  it('records its contact on the newer row the worker wrote first, and leaves the worker’s state', async () => {
    const { snapshot, key } = await placement()
    const newer = { ...snapshot, status: 'AWAITING_CONFIRMATION' as const, version: snapshot.version + 3 }
    await saveOrderSnapshot(db, newer, [])
    await savePlacedOrder(db, snapshot, { email: 'ada@example.com', language: null }, key, { status: 201, body: {} })
    const row = await rowOf(snapshot.orderId)
    console.log('row after the worker, then the placement:', row)
    expect(row).toMatchObject({
      status: 'AWAITING_CONFIRMATION',
      version: newer.version,
      contact_email: 'ada@example.com',
      contact_language: null,
    })
    const answered = await db
      .selectFrom('idempotency_keys')
      .select('response_status')
      .where('principal', '=', key.principal)
      .where('key', '=', key.key)
      .executeTakeFirstOrThrow()
    expect(answered.response_status).toBe(201)
  })
})

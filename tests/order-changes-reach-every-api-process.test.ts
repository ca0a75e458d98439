import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { createDatabase, type Kysely } from '../db/connection.js'
import { type OrderChange, type OrderChangeFeed, createOrderChangeFeed } from '../db/order-change-feed.js'
import { saveOrderSnapshot, type OrderSnapshot } from '../db/order-read-model.js'
import type { Database } from '../db/schema.js'
import { placedOrder } from '../domain/placed-order.js'
import { address } from './support/fixtures.js'
import { logger } from './support/services.js'
import { settled } from './support/patience.js'

let db: Kysely<Database>
const feeds: OrderChangeFeed[] = []

beforeAll(() => {
  db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 2 })
})
afterAll(async () => {
  for (const feed of feeds) await feed.close()
  await db.destroy()
})

async function openFeed(applicationName: string): Promise<OrderChangeFeed> {
  const feed = createOrderChangeFeed({ connectionString: inject('databaseUrl'), logger, applicationName, reconnectDelayMs: 50 })
  feeds.push(feed)
  await feed.ready()
  return feed
}

function recorder(feed: OrderChangeFeed, orderId: string) {
  const heard: OrderChange[] = []
  const unsubscribe = feed.subscribe(orderId, (change) => heard.push(change))
  return { heard, unsubscribe }
}

function anOrder(): OrderSnapshot {
  const { timeline: _timeline, ...snapshot } = placedOrder({
    orderId: randomUUID(),
    customerId: 'cust_feed',
    lines: [{ sku: 'FEED-1', quantity: 1 }],
    currency: 'USD',
    shippingAddress: address,
    payment: { method: 'cod' },
    quote: {
      lines: [{ sku: 'FEED-1', name: 'Feed test', quantity: 1, unitPrice: 1_000, lineTotal: 1_000 }],
      totals: { currency: 'USD', subtotal: 1_000, shipping: 0, total: 1_000 },
    },
    placedAt: new Date().toISOString(),
    codConfirmationTimeoutMs: 60_000,
  })
  return snapshot
}

describe('the order change feed', () => {
  it('tells every API process about every new version of an order, whoever writes it, and nothing for a stale write', async () => {
    const [replicaA, replicaB] = [await openFeed('feed-replica-a'), await openFeed('feed-replica-b')]
    const order = anOrder()
    const [a, b] = [recorder(replicaA, order.orderId), recorder(replicaB, order.orderId)]
    const other = recorder(replicaA, randomUUID())

    await saveOrderSnapshot(db, order, [])
    await saveOrderSnapshot(db, { ...order, status: 'AWAITING_CONFIRMATION', version: 2 }, [])
    await saveOrderSnapshot(db, { ...order, status: 'PENDING', version: 1 }, []) // late retry: ignored by the read model
    const expected = [
      { kind: 'changed', orderId: order.orderId, version: 0 },
      { kind: 'changed', orderId: order.orderId, version: 2 },
    ]
    await expect.poll(() => a.heard).toEqual(expected)
    await expect.poll(() => b.heard).toEqual(expected)
    expect(other.heard).toEqual([])

    a.unsubscribe()
    await saveOrderSnapshot(db, { ...order, status: 'CONFIRMED', version: 3 }, [])
    await expect.poll(() => b.heard.length).toBe(3)
    expect(a.heard).toHaveLength(2)
  })

  it('reconnects when its connection is killed, tells subscribers to resync, and keeps delivering', async () => {
    const name = `feed-${randomUUID().slice(0, 8)}`
    const feed = await openFeed(name)
    const order = anOrder()
    const { heard } = recorder(feed, order.orderId)

    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${name}`.execute(db)
    await expect.poll(() => heard, settled).toEqual([{ kind: 'resync' }])

    await saveOrderSnapshot(db, order, [])
    await expect.poll(() => heard.at(-1)).toEqual({ kind: 'changed', orderId: order.orderId, version: 0 })
  })

  it('tells subscribers it is closing, so open event streams end and the server can drain', async () => {
    const feed = createOrderChangeFeed({ connectionString: inject('databaseUrl'), logger, applicationName: 'feed-closing' })
    await feed.ready()
    const { heard } = recorder(feed, randomUUID())
    await feed.close()
    expect(heard).toEqual([{ kind: 'closed' }])
    expect(feed.subscriberCount()).toBe(0)
  })
})

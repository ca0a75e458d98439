import { randomUUID } from 'node:crypto'
import { ApplicationFailure } from '@temporalio/common'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInventoryActivities } from '../activities/inventory.js'
import { createDatabase, type Kysely } from '../db/connection.js'
import type { Database } from '../db/schema.js'
import { inject } from 'vitest'
import { createProducts, reservationsOf, stockOf } from './support/fixtures.js'

let db: Kysely<Database>
let inventory: ReturnType<typeof createInventoryActivities>

beforeAll(() => {
  db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 20 })
  inventory = createInventoryActivities({ db })
})
afterAll(() => db?.destroy())

describe('stock reservations on Postgres', () => {
  it('never reserve more than is on hand when 40 orders race for the last 2 units', async () => {
    const [sku] = await createProducts(db, [{ onHand: 2 }])
    const orders = Array.from({ length: 40 }, () => randomUUID())
    const outcomes = await Promise.allSettled(
      orders.map((orderId) => inventory.reserveStock({ orderId, lines: [{ sku: sku!, quantity: 1 }] })),
    )

    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled')
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
    expect(won).toHaveLength(2)
    expect(refused).toHaveLength(38)
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(ApplicationFailure)
      expect(reason).toMatchObject({ type: 'OutOfStock', nonRetryable: true })
    }
    expect(await stockOf(db, sku!)).toEqual({ on_hand: 2, reserved: 2 })
    const reservations = await db.selectFrom('stock_reservations').select('order_id').where('sku', '=', sku!).execute()
    expect(reservations).toHaveLength(2)
  })

  it('reserve every line or none', async () => {
    const [plenty, scarce] = await createProducts(db, [{ onHand: 5 }, { onHand: 1 }])
    const orderId = randomUUID()
    await expect(
      inventory.reserveStock({
        orderId,
        lines: [
          { sku: plenty!, quantity: 3 },
          { sku: scarce!, quantity: 2 },
        ],
      }),
    ).rejects.toMatchObject({ type: 'OutOfStock', details: [[{ sku: scarce, requested: 2, available: 1 }]] })
    expect(await stockOf(db, plenty!)).toEqual({ on_hand: 5, reserved: 0 })
    expect(await reservationsOf(db, orderId)).toEqual([])
  })

  it('take stock once however often a reserve is retried, even concurrently', async () => {
    const [sku] = await createProducts(db, [{ onHand: 10 }])
    const orderId = randomUUID()
    const lines = [{ sku: sku!, quantity: 3 }]
    await Promise.allSettled([1, 2, 3].map(() => inventory.reserveStock({ orderId, lines })))
    await inventory.reserveStock({ orderId, lines })
    expect(await stockOf(db, sku!)).toEqual({ on_hand: 10, reserved: 3 })
  })

  it('release, commit and restock are idempotent', async () => {
    const [kept, dropped] = await createProducts(db, [{ onHand: 4 }, { onHand: 4 }])
    const shipped = randomUUID()
    const cancelled = randomUUID()
    await inventory.reserveStock({ orderId: shipped, lines: [{ sku: kept!, quantity: 2 }] })
    await inventory.reserveStock({ orderId: cancelled, lines: [{ sku: dropped!, quantity: 2 }] })

    await inventory.releaseStock({ orderId: cancelled })
    await inventory.releaseStock({ orderId: cancelled })
    expect(await stockOf(db, dropped!)).toEqual({ on_hand: 4, reserved: 0 })

    await inventory.commitStock({ orderId: shipped })
    await inventory.commitStock({ orderId: shipped })
    await inventory.releaseStock({ orderId: shipped })
    expect(await stockOf(db, kept!)).toEqual({ on_hand: 2, reserved: 0 })

    await inventory.restockReturnedItems({ orderId: shipped })
    await inventory.restockReturnedItems({ orderId: shipped })
    expect(await stockOf(db, kept!)).toEqual({ on_hand: 4, reserved: 0 })
  })
})

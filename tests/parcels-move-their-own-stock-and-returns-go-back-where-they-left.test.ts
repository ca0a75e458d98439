import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createInventoryActivities } from '../activities/inventory.js'
import { createDatabase, type Kysely } from '../db/connection.js'
import type { Database } from '../db/schema.js'
import { createProducts } from './support/fixtures.js'

let db: Kysely<Database>
let inventory: ReturnType<typeof createInventoryActivities>

beforeAll(() => {
  db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 5 })
  inventory = createInventoryActivities({ db })
})
afterAll(() => db?.destroy())

/** Two fresh locations, GB and FR, and a product stocked at both (none at the default location). */
async function twoLocations(stock: { gb: number; fr: number }) {
  const gb = `gb-${randomUUID().slice(0, 8)}`
  const fr = `fr-${randomUUID().slice(0, 8)}`
  await db
    .insertInto('stock_locations')
    .values([
      { id: gb, name: 'Leeds', country: 'GB' },
      { id: fr, name: 'Lyon', country: 'FR' },
    ])
    .execute()
  const [sku] = (await createProducts(db, [{ onHand: 0 }])) as [string]
  await db
    .insertInto('stock_levels')
    .values([
      { sku, location_id: gb, on_hand: stock.gb },
      { sku, location_id: fr, on_hand: stock.fr },
    ])
    .execute()
  return { gb, fr, sku }
}

async function levels(sku: string) {
  const rows = await db
    .selectFrom('stock_levels')
    .select(['location_id', 'on_hand', 'reserved'])
    .where('sku', '=', sku)
    .where('location_id', '<>', 'default')
    .orderBy('location_id')
    .execute()
  return Object.fromEntries(rows.map((row) => [row.location_id.slice(0, 2), { onHand: row.on_hand, reserved: row.reserved }]))
}

describe('an order in two parcels', () => {
  it('ships from the location in the shipping country when it has every unit, and a retry answers the same plan', async () => {
    const { gb, fr, sku } = await twoLocations({ gb: 3, fr: 9 })
    const orderId = randomUUID()
    const toGb = await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 3 }], shipToCountry: 'GB' })
    expect(toGb).toEqual({ reservedLines: 1, plan: [{ parcel: 1, locationId: gb, lines: [{ sku, quantity: 3 }] }] })
    expect(await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 3 }], shipToCountry: 'GB' })).toEqual(toGb)
    const toFr = await inventory.reserveStock({ orderId: randomUUID(), lines: [{ sku, quantity: 1 }], shipToCountry: 'DE' })
    expect(toFr.plan).toEqual([{ parcel: 1, locationId: fr, lines: [{ sku, quantity: 1 }] }])
  })

  it('commits, releases and restocks each parcel on its own, at its own location, once', async () => {
    const { sku } = await twoLocations({ gb: 2, fr: 3 })
    const orderId = randomUUID()
    const { plan } = await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 5 }], shipToCountry: 'GB' })
    expect(plan.map((parcel) => [parcel.parcel, parcel.locationId.slice(0, 2), parcel.lines[0]?.quantity])).toEqual([
      [1, 'fr', 3],
      [2, 'gb', 2],
    ])
    expect(await levels(sku)).toEqual({ fr: { onHand: 3, reserved: 3 }, gb: { onHand: 2, reserved: 2 } })

    await inventory.commitStock({ orderId, parcels: [1] })
    await inventory.commitStock({ orderId, parcels: [1] })
    expect(await levels(sku)).toEqual({ fr: { onHand: 0, reserved: 0 }, gb: { onHand: 2, reserved: 2 } })
    await inventory.releaseStock({ orderId, parcels: [2] })
    await inventory.releaseStock({ orderId })
    expect(await levels(sku)).toEqual({ fr: { onHand: 0, reserved: 0 }, gb: { onHand: 2, reserved: 0 } })
    await inventory.restockReturnedItems({ orderId, parcels: [1] })
    await inventory.restockReturnedItems({ orderId, parcels: [1] })
    expect(await levels(sku)).toEqual({ fr: { onHand: 3, reserved: 0 }, gb: { onHand: 2, reserved: 0 } })
  })

  it('takes back returned units where they left: resellable ones restocked, the others written off, once per return', async () => {
    const { sku } = await twoLocations({ gb: 2, fr: 3 })
    const orderId = randomUUID()
    await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 5 }], shipToCountry: 'GB' })
    await inventory.commitStock({ orderId })
    expect(await levels(sku)).toEqual({ fr: { onHand: 0, reserved: 0 }, gb: { onHand: 0, reserved: 0 } })

    const returnId = `ret-${randomUUID()}`
    const lines = [
      { sku, quantity: 3, resellable: true },
      { sku, quantity: 1, resellable: false },
    ]
    expect(await inventory.restockReturnedLines({ orderId, returnId, lines })).toEqual({ restocked: 3, writtenOff: 1 })
    expect(await inventory.restockReturnedLines({ orderId, returnId, lines })).toEqual({ restocked: 3, writtenOff: 1 })
    // Parcel 1 (Lyon, 3 units) first: its 3 resellable units are back in Lyon; the damaged one came from Leeds.
    expect(await levels(sku)).toEqual({ fr: { onHand: 3, reserved: 0 }, gb: { onHand: 0, reserved: 0 } })
    const writtenOff = await db
      .selectFrom('stock_returns')
      .select(['quantity', 'resellable'])
      .where('return_id', '=', returnId)
      .orderBy('resellable')
      .execute()
    expect(writtenOff).toEqual([
      { quantity: 1, resellable: false },
      { quantity: 3, resellable: true },
    ])

    await expect(
      inventory.restockReturnedLines({
        orderId,
        returnId: `ret-${randomUUID()}`,
        lines: [{ sku, quantity: 2, resellable: true }],
      }),
    ).rejects.toMatchObject({ type: 'ReturnExceedsShipped', nonRetryable: true })
    // The parcel returned whole afterwards restocks only the unit not yet taken back.
    await inventory.restockReturnedItems({ orderId })
    expect(await levels(sku)).toEqual({ fr: { onHand: 3, reserved: 0 }, gb: { onHand: 1, reserved: 0 } })
  })
})

describe('an order reserved before locations existed', () => {
  it('is one parcel at the default location, released, committed and restocked as before', async () => {
    const [sku] = (await createProducts(db, [{ onHand: 4 }])) as [string]
    const orderId = randomUUID()
    // What the engine wrote before plans: no parcel, no plan row.
    await db
      .insertInto('stock_reservations')
      .values({ order_id: orderId, sku, quantity: 2, state: 'reserved', parcel: null })
      .execute()
    await db
      .updateTable('stock_levels')
      .set({ reserved: 2 })
      .where('sku', '=', sku)
      .where('location_id', '=', 'default')
      .execute()

    expect(await inventory.reserveStock({ orderId, lines: [{ sku, quantity: 2 }] })).toEqual({
      reservedLines: 1,
      plan: [{ parcel: 1, locationId: 'default', lines: [{ sku, quantity: 2 }] }],
    })
    await inventory.commitStock({ orderId, parcels: [1] })
    const level = () =>
      db.selectFrom('stock_levels').select(['on_hand', 'reserved']).where('sku', '=', sku).executeTakeFirstOrThrow()
    expect(await level()).toEqual({ on_hand: 2, reserved: 0 })
    await inventory.restockReturnedItems({ orderId })
    expect(await level()).toEqual({ on_hand: 4, reserved: 0 })
  })
})

import { randomUUID } from 'node:crypto'
import { type Kysely, Migrator, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDatabase } from '../db/connection.js'
import { migrations } from '../db/migrations/index.js'

const name = `test_${randomUUID().replaceAll('-', '')}`
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema changes under the test's feet
let db: Kysely<any>
let migrator: Migrator

async function onServer(statement: string) {
  const client = new pg.Client({ connectionString: inject('databaseUrl') })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  await onServer(`create database ${name}`)
  const url = new URL(inject('databaseUrl'))
  url.pathname = `/${name}`
  db = createDatabase({ connectionString: url.href, maxConnections: 2 })
  migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } })
})
afterAll(async () => {
  await db?.destroy()
  await onServer(`drop database if exists ${name} with (force)`)
})

async function migrateTo(target: string) {
  const { error } = await migrator.migrateTo(target)
  if (error) throw error
}

describe('the stock locations migration', () => {
  it('puts every unit and reservation that existed at the default location, and its down merges locations back', async () => {
    await migrateTo('2026-12-01-008-webhooks')
    const orderId = randomUUID()
    await sql`insert into products (sku, name) values ('OLD-MUG', 'Mug'), ('OLD-CAP', 'Cap')`.execute(db)
    await sql`insert into stock_levels (sku, on_hand, reserved) values ('OLD-MUG', 7, 2), ('OLD-CAP', 3, 0)`.execute(db)
    await sql`insert into stock_reservations (order_id, sku, quantity, state) values (${orderId}, 'OLD-MUG', 2, 'reserved')`.execute(
      db,
    )

    await migrateTo('2026-12-01-009-stock-locations')
    const levels = await sql<{
      sku: string
      location_id: string
      on_hand: number
      reserved: number
    }>`select sku, location_id, on_hand, reserved from stock_levels order by sku`.execute(db)
    expect(levels.rows).toEqual([
      { sku: 'OLD-CAP', location_id: 'default', on_hand: 3, reserved: 0 },
      { sku: 'OLD-MUG', location_id: 'default', on_hand: 7, reserved: 2 },
    ])
    const reservations = await sql`select sku, quantity, state, location_id, parcel, returned from stock_reservations`.execute(db)
    expect(reservations.rows).toEqual([
      { sku: 'OLD-MUG', quantity: 2, state: 'reserved', location_id: 'default', parcel: null, returned: 0 },
    ])
    const locations = await sql`select id, country from stock_locations`.execute(db)
    expect(locations.rows).toEqual([{ id: 'default', country: 'ZZ' }])

    // A second location's stock is folded back into the SKU's one row on the way down.
    await sql`insert into stock_locations (id, name, country) values ('lyon', 'Lyon', 'FR')`.execute(db)
    await sql`insert into stock_levels (sku, location_id, on_hand, reserved) values ('OLD-MUG', 'lyon', 5, 1)`.execute(db)
    await sql`insert into stock_reservations (order_id, sku, quantity, state, location_id, parcel)
              values (${orderId}, 'OLD-MUG', 1, 'reserved', 'lyon', 2)`.execute(db)
    await migrateTo('2026-12-01-008-webhooks')
    const merged = await sql`select sku, on_hand, reserved from stock_levels order by sku`.execute(db)
    expect(merged.rows).toEqual([
      { sku: 'OLD-CAP', on_hand: 3, reserved: 0 },
      { sku: 'OLD-MUG', on_hand: 12, reserved: 3 },
    ])
    const mergedReservations = await sql`select sku, quantity, state from stock_reservations`.execute(db)
    expect(mergedReservations.rows).toEqual([{ sku: 'OLD-MUG', quantity: 3, state: 'reserved' }])
  })
})

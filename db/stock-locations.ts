/** Where stock is held: the locations admins create, and each product's stock at each of them. */
import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

/** A stock location as the API shows it. */
export interface StockLocationRecord {
  id: string
  name: string
  /** ISO 3166-1 alpha-2 (`ZZ`: not known yet, the default location's until an admin sets it). */
  country: string
  createdAt: string
  updatedAt: string
}

function recordOf(row: { id: string; name: string; country: string; created_at: Date; updated_at: Date }): StockLocationRecord {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

/**
 * Creates a location or renames it (name and country), and says which. A PUT
 * that changes nothing leaves `updatedAt` as it was.
 */
export async function upsertStockLocation(
  db: Kysely<Database>,
  location: { id: string; name: string; country: string },
): Promise<{ location: StockLocationRecord; created: boolean }> {
  const row = await db
    .insertInto('stock_locations')
    .values(location)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ name: location.name, country: location.country, updated_at: sql`now()` })
        .where(({ or, eb }) =>
          or([eb('stock_locations.name', '<>', location.name), eb('stock_locations.country', '<>', location.country)]),
        ),
    )
    .returning(['id', 'name', 'country', 'created_at', 'updated_at', sql<boolean>`xmax = 0`.as('inserted')])
    .executeTakeFirst()
  if (row) return { location: recordOf(row), created: row.inserted }
  const unchanged = await db.selectFrom('stock_locations').selectAll().where('id', '=', location.id).executeTakeFirstOrThrow()
  return { location: recordOf(unchanged), created: false }
}

/** Every stock location, by id. */
export async function listStockLocations(db: Kysely<Database>): Promise<StockLocationRecord[]> {
  const rows = await db.selectFrom('stock_locations').selectAll().orderBy('id').execute()
  return rows.map(recordOf)
}

/** True when there is a stock location with this id. */
export async function stockLocationExists(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db.selectFrom('stock_locations').select('id').where('id', '=', id).executeTakeFirst()
  return row !== undefined
}

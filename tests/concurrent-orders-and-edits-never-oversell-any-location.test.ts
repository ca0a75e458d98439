import { randomUUID } from 'node:crypto'
import { ApplicationFailure } from '@temporalio/common'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createInventoryActivities } from '../activities/inventory.js'
import { createDatabase, type Kysely } from '../db/connection.js'
import type { Database } from '../db/schema.js'
import type { FulfilmentParcel } from '../domain/fulfilment.js'
import type { OrderLineRequest } from '../domain/order-types.js'
import { createProducts } from './support/fixtures.js'

let db: Kysely<Database>
let inventory: ReturnType<typeof createInventoryActivities>

beforeAll(() => {
  db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 20 })
  inventory = createInventoryActivities({ db })
})
afterAll(() => db?.destroy())

const countries = ['GB', 'FR', 'DE'] as const
const SKUS = 3
const LOCATIONS = 3

/** Lines over the run's SKUs (by index), each SKU at most once. */
const linesArbitrary = fc.uniqueArray(fc.record({ sku: fc.nat(SKUS - 1), quantity: fc.integer({ min: 1, max: 5 }) }), {
  minLength: 1,
  maxLength: SKUS,
  selector: (line) => line.sku,
})

const scenario = fc.record({
  /** Units on hand per location and SKU. */
  stock: fc.array(fc.array(fc.nat(6), { minLength: SKUS, maxLength: SKUS }), { minLength: LOCATIONS, maxLength: LOCATIONS }),
  countries: fc.array(fc.constantFrom(...countries), { minLength: LOCATIONS, maxLength: LOCATIONS }),
  orders: fc.array(
    fc.record({
      lines: linesArbitrary,
      shipTo: fc.constantFrom(...countries),
      /** What happens next, concurrently with the other orders: an edit (new lines; kept parcels), a pickup, a cancellation. */
      then: fc.oneof(
        fc.record({ kind: fc.constant('edit' as const), lines: linesArbitrary, keepFirst: fc.boolean() }),
        fc.record({ kind: fc.constant('commit' as const) }),
        fc.record({ kind: fc.constant('release' as const) }),
      ),
    }),
    { minLength: 2, maxLength: 10 },
  ),
})

function units(lines: readonly OrderLineRequest[]): Record<string, number> {
  const sum: Record<string, number> = {}
  for (const line of lines) sum[line.sku] = (sum[line.sku] ?? 0) + line.quantity
  return sum
}

function planUnits(plan: readonly FulfilmentParcel[]) {
  return units(plan.flatMap((parcel) => parcel.lines))
}

/** Refusals must be OutOfStock: anything else (a check constraint, a deadlock) means the rows were not guarded. */
function expectOnlyOutOfStock(outcomes: ReadonlyArray<PromiseSettledResult<unknown>>) {
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      expect(outcome.reason).toBeInstanceOf(ApplicationFailure)
      expect(outcome.reason).toMatchObject({ type: 'OutOfStock' })
    }
  }
}

describe('stock over several locations under concurrent orders, edits, pickups and cancellations', () => {
  it('never oversells any location, and every reservation and edit is all or nothing', async () => {
    let runs = 0
    let reservations = 0
    let refusals = 0
    let edits = 0
    let refusedEdits = 0
    let split = 0
    await fc.assert(
      fc.asyncProperty(scenario, async ({ stock, countries: where, orders }) => {
        runs += 1
        const skus = await createProducts(
          db,
          Array.from({ length: SKUS }, () => ({ onHand: 0 })),
        )
        await db.deleteFrom('stock_levels').where('sku', 'in', skus).execute()
        const locationIds = where.map((country) => `prop-${randomUUID().slice(0, 8)}-${country.toLowerCase()}`)
        await db
          .insertInto('stock_locations')
          .values(locationIds.map((id, index) => ({ id, name: id, country: where[index]! })))
          .execute()
        await db
          .insertInto('stock_levels')
          .values(locationIds.flatMap((location_id, l) => skus.map((sku, s) => ({ sku, location_id, on_hand: stock[l]![s]! }))))
          .execute()
        const named = (lines: ReadonlyArray<{ sku: number; quantity: number }>) =>
          lines.map((line) => ({ sku: skus[line.sku]!, quantity: line.quantity }))

        const ids = orders.map(() => randomUUID())
        const placed = await Promise.allSettled(
          orders.map((order, index) =>
            inventory.reserveStock({ orderId: ids[index]!, lines: named(order.lines), shipToCountry: order.shipTo }),
          ),
        )
        expectOnlyOutOfStock(placed)
        /** What each order holds now, as the test expects it. */
        const held = new Map<string, { lines: OrderLineRequest[]; plan: FulfilmentParcel[] }>()
        placed.forEach((outcome, index) => {
          reservations += 1
          if (outcome.status === 'rejected') return void (refusals += 1)
          expect(planUnits(outcome.value.plan)).toEqual(units(named(orders[index]!.lines)))
          if (outcome.value.plan.length > 1) split += 1
          held.set(ids[index]!, { lines: named(orders[index]!.lines), plan: outcome.value.plan })
        })

        const committed = new Set<string>()
        const revised = new Set<string>()
        const next = await Promise.allSettled(
          orders.map(async (order, index) => {
            const orderId = ids[index]!
            const holding = held.get(orderId)
            if (!holding) return
            if (order.then.kind === 'commit') {
              await inventory.commitStock({ orderId })
              committed.add(orderId)
            } else if (order.then.kind === 'release') {
              await inventory.releaseStock({ orderId })
              held.delete(orderId)
            } else {
              edits += 1
              const lines = named(order.then.lines)
              const keptParcels = order.then.keepFirst ? [1] : []
              try {
                const { plan } = await inventory.reviseReservation({
                  orderId,
                  revision: 1,
                  lines,
                  shipToCountry: order.shipTo,
                  keptParcels,
                })
                expect(planUnits(plan)).toEqual(units(lines))
                const kept = holding.plan.find((parcel) => parcel.parcel === 1)
                if (order.then.keepFirst && kept && kept.lines.every((line) => (units(lines)[line.sku] ?? 0) >= line.quantity)) {
                  expect(plan).toContainEqual(kept)
                }
                held.set(orderId, { lines, plan })
                revised.add(orderId)
              } catch (error) {
                refusedEdits += 1
                throw error
              }
            }
          }),
        )
        expectOnlyOutOfStock(next)

        const levels = await db.selectFrom('stock_levels').selectAll().where('sku', 'in', skus).execute()
        const rows = await db
          .selectFrom('stock_reservations')
          .select(['order_id', 'sku', 'quantity', 'state', 'location_id'])
          .where('order_id', 'in', ids)
          .execute()
        for (const level of levels) {
          const l = locationIds.indexOf(level.location_id)
          const s = skus.indexOf(level.sku)
          const at = rows.filter((row) => row.sku === level.sku && row.location_id === level.location_id)
          const reserved = at.filter((row) => row.state === 'reserved').reduce((sum, row) => sum + row.quantity, 0)
          const shipped = at.filter((row) => row.state === 'committed').reduce((sum, row) => sum + row.quantity, 0)
          expect(level.reserved).toBe(reserved)
          expect(level.on_hand).toBe(stock[l]![s]! - shipped)
          expect(level.reserved).toBeLessThanOrEqual(level.on_hand)
        }
        for (const orderId of ids) {
          const state = committed.has(orderId) ? 'committed' : 'reserved'
          const mine = rows.filter((row) => row.order_id === orderId && row.state === state)
          expect(units(mine)).toEqual(units(held.get(orderId)?.lines ?? []))
          // Each parcel's units are held where its plan says.
          for (const parcel of held.get(orderId)?.plan ?? []) {
            for (const line of parcel.lines) {
              expect(mine.some((row) => row.sku === line.sku && row.location_id === parcel.locationId)).toBe(true)
            }
          }
        }
        // A retried edit answers the plan it made and changes nothing.
        for (const orderId of revised) {
          const holding = held.get(orderId)!
          const again = await inventory.reviseReservation({ orderId, revision: 1, lines: holding.lines, keptParcels: [] })
          expect(again.plan).toEqual(holding.plan)
        }
      }),
      { numRuns: 25 },
    )
    console.info(
      `${runs} runs: ${reservations} reservations (${refusals} refused for stock, ${split} split over locations), ` +
        `${edits} edits (${refusedEdits} refused for stock); no location oversold`,
    )
    expect(split).toBeGreaterThan(0)
    expect(refusals + refusedEdits).toBeGreaterThan(0)
  })
})

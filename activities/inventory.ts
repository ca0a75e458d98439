import type { Kysely, Transaction } from 'kysely'
import { sql } from 'kysely'
import type { Database, ReservationState } from '../db/schema.js'
import type { FulfilmentParcel } from '../domain/fulfilment.js'
import type { OrderLineRequest } from '../domain/order-types.js'
import { businessRefusal } from './business-refusal.js'
import {
  type LocationStock,
  type PlannedParcel,
  type StockShortage,
  planFulfilment,
  sameParcelContents,
  unitsBySku,
} from './fulfilment-planning.js'

export type { StockShortage } from './fulfilment-planning.js'

export interface InventoryDeps {
  db: Kysely<Database>
}

export interface ReserveStockInput {
  orderId: string
  lines: readonly OrderLineRequest[]
  /** ISO 3166-1 alpha-2: a location in this country is preferred when several have every line. */
  shipToCountry?: string | undefined
}

export interface ReservedStock {
  /** How many of the order's SKUs are reserved (each counted once, however many parcels carry it). */
  reservedLines: number
  plan: FulfilmentParcel[]
}

/** Some parcels of an order, by number; all of them when omitted. */
export interface OrderParcelsInput {
  orderId: string
  parcels?: readonly number[] | undefined
}

export interface ReviseReservationInput {
  orderId: string
  /** 1, 2, … for the order's successive edits: the same revision revises once. */
  revision: number
  /** The order's new full set of lines. */
  lines: readonly OrderLineRequest[]
  shipToCountry?: string | undefined
  /** Parcels whose labels are bought: kept as they are when the new lines still contain them. */
  keptParcels: readonly number[]
}

export interface RestockReturnedLinesInput {
  orderId: string
  /** The return's id: the same return restocks once. */
  returnId: string
  lines: ReadonlyArray<{ sku: string; quantity: number; resellable: boolean }>
}

/** What a return did to stock, in units. */
export interface ReturnedStock {
  restocked: number
  writtenOff: number
}

type Trx = Transaction<Database>

/** Serializes every stock operation of one order (a retry, an edit, a release), for this transaction. */
async function lockOrder(trx: Trx, orderId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`stock:${orderId}`}, 0))`.execute(trx)
}

/**
 * Locks the stock of `skus` at every location, in (sku, location) order: every
 * transaction that takes stock rows takes them in this order, so concurrent
 * orders never deadlock, and each sees what the previous one left.
 */
async function lockStockOf(trx: Trx, skus: readonly string[]) {
  if (skus.length === 0) return []
  return trx
    .selectFrom('stock_levels')
    .select(['sku', 'location_id', 'on_hand', 'reserved'])
    .where('sku', 'in', [...skus])
    .orderBy('sku')
    .orderBy('location_id')
    .forUpdate()
    .execute()
}

/** The locations' stock not yet reserved, plus what `heldBack` (an order's own reservations about to be released) holds. */
async function stockByLocation(
  trx: Trx,
  levels: ReadonlyArray<{ sku: string; location_id: string; on_hand: number; reserved: number }>,
  heldBack: ReadonlyArray<{ sku: string; location_id: string; quantity: number }> = [],
): Promise<LocationStock[]> {
  const countries = new Map(
    (await trx.selectFrom('stock_locations').select(['id', 'country']).execute()).map((row) => [row.id, row.country]),
  )
  const byLocation = new Map<string, Map<string, number>>()
  for (const level of levels) {
    const stock = byLocation.get(level.location_id) ?? new Map<string, number>()
    const own = heldBack
      .filter((held) => held.sku === level.sku && held.location_id === level.location_id)
      .reduce((sum, held) => sum + held.quantity, 0)
    stock.set(level.sku, Math.max(0, level.on_hand - level.reserved) + own)
    byLocation.set(level.location_id, stock)
  }
  return [...byLocation].map(([locationId, available]) => ({ locationId, country: countries.get(locationId) ?? 'ZZ', available }))
}

function outOfStock(shortages: readonly StockShortage[]) {
  const list = shortages.map((s) => `${s.sku} (${s.requested} wanted, ${s.available} available)`).join(', ')
  return businessRefusal('OutOfStock', `Not enough stock: ${list}`, shortages)
}

/** Reserves a parcel's units at its location. The stock rows are already locked. */
async function reserveParcel(trx: Trx, orderId: string, parcel: FulfilmentParcel): Promise<void> {
  for (const line of parcel.lines) {
    await trx
      .updateTable('stock_levels')
      .set({ reserved: sql<number>`reserved + ${line.quantity}`, updated_at: sql`now()` })
      .where('sku', '=', line.sku)
      .where('location_id', '=', parcel.locationId)
      .execute()
    await trx
      .insertInto('stock_reservations')
      .values({
        order_id: orderId,
        sku: line.sku,
        quantity: line.quantity,
        state: 'reserved',
        location_id: parcel.locationId,
        parcel: parcel.parcel,
      })
      .execute()
  }
}

interface ReservationRow {
  sku: string
  quantity: number
  location_id: string
  parcel: number | null
}

/** The parcels of reservation rows; rows from before plans existed are parcel 1. */
function parcelsOfRows(rows: readonly ReservationRow[]): FulfilmentParcel[] {
  const parcels = new Map<number, FulfilmentParcel>()
  for (const row of rows) {
    const number = row.parcel ?? 1
    const parcel = parcels.get(number) ?? { parcel: number, locationId: row.location_id, lines: [] }
    parcel.lines.push({ sku: row.sku, quantity: row.quantity })
    parcels.set(number, parcel)
  }
  return [...parcels.values()].sort((a, b) => a.parcel - b.parcel)
}

async function storedPlan(trx: Trx, orderId: string, revision: number): Promise<FulfilmentParcel[] | null> {
  const row = await trx
    .selectFrom('stock_fulfilment_plans')
    .select('plan')
    .where('order_id', '=', orderId)
    .where('revision', '=', revision)
    .executeTakeFirst()
  return row ? row.plan : null
}

async function storePlan(trx: Trx, orderId: string, revision: number, plan: readonly FulfilmentParcel[]): Promise<void> {
  await trx
    .insertInto('stock_fulfilment_plans')
    .values({ order_id: orderId, revision, plan: JSON.stringify(plan) })
    .execute()
}

/**
 * Stock on Postgres, held at several locations. Every operation is one
 * transaction that first takes the order's own lock, keyed by order (and
 * revision or return), so a retried activity finds its own earlier work
 * instead of doing it twice; stock rows are locked in (sku, location) order,
 * so no location is ever oversold.
 */
export function createInventoryActivities({ db }: InventoryDeps) {
  /** Moves some parcels' reservations of an order from one state to another, adjusting stock as it goes. */
  async function transition(
    { orderId, parcels }: OrderParcelsInput,
    from: ReservationState,
    to: ReservationState,
  ): Promise<number> {
    if (parcels?.length === 0) return 0
    return db.transaction().execute(async (trx) => {
      await lockOrder(trx, orderId)
      let query = trx
        .selectFrom('stock_reservations')
        .select(['sku', 'quantity', 'returned', 'location_id', 'parcel'])
        .where('order_id', '=', orderId)
        .where('state', '=', from)
      if (parcels) query = query.where(sql<number>`coalesce(parcel, 1)`, 'in', [...parcels])
      const rows = await query.orderBy('sku').orderBy('location_id').forUpdate().execute()
      await lockStockOf(trx, [...new Set(rows.map((row) => row.sku))])
      for (const { sku, quantity, returned, location_id } of rows) {
        const change =
          to === 'released'
            ? { reserved: sql<number>`reserved - ${quantity}` }
            : to === 'committed'
              ? { reserved: sql<number>`reserved - ${quantity}`, on_hand: sql<number>`on_hand - ${quantity}` }
              : { on_hand: sql<number>`on_hand + ${quantity - returned}` }
        await trx
          .updateTable('stock_levels')
          .set({ ...change, updated_at: sql`now()` })
          .where('sku', '=', sku)
          .where('location_id', '=', location_id)
          .execute()
      }
      let update = trx
        .updateTable('stock_reservations')
        .set({ state: to, updated_at: sql`now()` })
        .where('order_id', '=', orderId)
        .where('state', '=', from)
      if (parcels) update = update.where(sql<number>`coalesce(parcel, 1)`, 'in', [...parcels])
      await update.execute()
      return rows.length
    })
  }

  return {
    /**
     * Reserves every line or none, across locations, and answers the plan:
     * which location ships which lines, in how many parcels (see
     * `planFulfilment`). A retry answers the plan it made.
     *
     * @throws OutOfStock (a business refusal) when the locations together lack units; nothing is reserved.
     */
    async reserveStock({ orderId, lines, shipToCountry }: ReserveStockInput): Promise<ReservedStock> {
      return db.transaction().execute(async (trx) => {
        await lockOrder(trx, orderId)
        const planned = await storedPlan(trx, orderId, 0)
        if (planned) return { reservedLines: new Set(planned.flatMap((p) => p.lines.map((l) => l.sku))).size, plan: planned }
        const existing = await trx
          .selectFrom('stock_reservations')
          .select(['sku', 'quantity', 'location_id', 'parcel'])
          .where('order_id', '=', orderId)
          .orderBy('sku')
          .execute()
        // Reserved before plans existed: one parcel from where it was reserved.
        if (existing.length > 0)
          return { reservedLines: new Set(existing.map((row) => row.sku)).size, plan: parcelsOfRows(existing) }

        const wanted = unitsBySku(lines)
        const levels = await lockStockOf(trx, [...wanted.keys()].sort())
        const outcome = planFulfilment(wanted, await stockByLocation(trx, levels), shipToCountry ?? null)
        if (outcome.shortages.length > 0) throw outOfStock(outcome.shortages)
        const plan = outcome.parcels.map((parcel, index) => ({ parcel: index + 1, ...parcel }))
        for (const parcel of plan) await reserveParcel(trx, orderId, parcel)
        await storePlan(trx, orderId, 0, plan)
        return { reservedLines: wanted.size, plan }
      })
    },

    /** Gives the reserved stock of some parcels (all when omitted) back. Idempotent. */
    async releaseStock(input: OrderParcelsInput): Promise<void> {
      await transition(input, 'reserved', 'released')
    },

    /** The carrier has these parcels (all when omitted): their reserved stock leaves the shelf for good. Idempotent. */
    async commitStock(input: OrderParcelsInput): Promise<void> {
      await transition(input, 'reserved', 'committed')
    },

    /** Returned parcels' items (all parcels when omitted) go back on the shelf they left. Idempotent. */
    async restockReturnedItems(input: OrderParcelsInput): Promise<void> {
      await transition(input, 'committed', 'restocked')
    },

    /**
     * An edit: re-plans the order for its new lines. A parcel of `keptParcels`
     * (its label bought) keeps its reservation, unchanged, while the new lines
     * still contain all it carries; every other line is planned afresh, as if
     * the order's other reservations were already given back. A new parcel
     * identical to one the order had (same location, same units) keeps that
     * parcel's number and reservation; the others get numbers the order never
     * used. So, between the old plan and the new one: a number in both is the
     * same parcel, a number gone is a parcel to cancel, a new number a parcel
     * to ship. All or nothing: a shortage changes nothing. Idempotent per
     * (orderId, revision).
     *
     * @throws OutOfStock (a business refusal) when the new lines cannot be reserved; every reservation is left as it was.
     */
    async reviseReservation({
      orderId,
      revision,
      lines,
      shipToCountry,
      keptParcels,
    }: ReviseReservationInput): Promise<{ plan: FulfilmentParcel[] }> {
      return db.transaction().execute(async (trx) => {
        await lockOrder(trx, orderId)
        const planned = await storedPlan(trx, orderId, revision)
        if (planned) return { plan: planned }

        const rows = await trx
          .selectFrom('stock_reservations')
          .select(['sku', 'quantity', 'location_id', 'parcel'])
          .where('order_id', '=', orderId)
          .where('state', '=', 'reserved')
          .orderBy('parcel')
          .orderBy('sku')
          .forUpdate()
          .execute()
        const latest = await trx
          .selectFrom('stock_fulfilment_plans')
          .select('plan')
          .where('order_id', '=', orderId)
          .orderBy('revision', 'desc')
          .executeTakeFirst()
        // As the last plan wrote them (lines in its order), where the reservations still match it.
        const current = parcelsOfRows(rows).map(
          (parcel) =>
            latest?.plan.find((planned) => planned.parcel === parcel.parcel && sameParcelContents(planned, parcel)) ?? parcel,
        )
        const remaining = unitsBySku(lines)
        const kept: FulfilmentParcel[] = []
        for (const number of [...keptParcels].sort((a, b) => a - b)) {
          const parcel = current.find((candidate) => candidate.parcel === number)
          if (!parcel || kept.includes(parcel)) continue
          const fits = parcel.lines.every((line) => (remaining.get(line.sku) ?? 0) >= line.quantity)
          if (!fits) continue
          for (const line of parcel.lines) remaining.set(line.sku, (remaining.get(line.sku) ?? 0) - line.quantity)
          kept.push(parcel)
        }
        const rest = new Map([...remaining].filter(([, quantity]) => quantity > 0))
        const others = current.filter((parcel) => !kept.includes(parcel))
        const othersRows = rows
          .filter((row) => others.some((parcel) => parcel.parcel === (row.parcel ?? 1)))
          .map((row) => ({ sku: row.sku, location_id: row.location_id, quantity: row.quantity }))

        const skus = [...new Set([...rest.keys(), ...othersRows.map((row) => row.sku)])].sort()
        const levels = await lockStockOf(trx, skus)
        const outcome = planFulfilment(rest, await stockByLocation(trx, levels, othersRows), shipToCountry ?? null)
        if (outcome.shortages.length > 0) throw outOfStock(outcome.shortages)

        const used = await trx
          .selectFrom('stock_reservations')
          .select(sql<number>`coalesce(max(coalesce(parcel, 1)), 0)`.as('highest'))
          .where('order_id', '=', orderId)
          .executeTakeFirst()
        let next = Number(used?.highest ?? 0) + 1
        const unchanged: FulfilmentParcel[] = []
        const fresh: FulfilmentParcel[] = []
        for (const parcel of outcome.parcels as PlannedParcel[]) {
          const same = others.find((old) => !unchanged.includes(old) && sameParcelContents(old, parcel))
          if (same) unchanged.push(same)
          else fresh.push({ parcel: next++, ...parcel })
        }
        const released = others.filter((parcel) => !unchanged.includes(parcel)).map((parcel) => parcel.parcel)
        // The stock rows are locked already (above), so the order of these changes does not matter.
        for (const row of rows.filter((r) => released.includes(r.parcel ?? 1))) {
          await trx
            .updateTable('stock_levels')
            .set({ reserved: sql<number>`reserved - ${row.quantity}`, updated_at: sql`now()` })
            .where('sku', '=', row.sku)
            .where('location_id', '=', row.location_id)
            .execute()
        }
        if (released.length > 0) {
          await trx
            .updateTable('stock_reservations')
            .set({ state: 'released', updated_at: sql`now()` })
            .where('order_id', '=', orderId)
            .where('state', '=', 'reserved')
            .where(sql<number>`coalesce(parcel, 1)`, 'in', released)
            .execute()
        }
        for (const parcel of fresh) await reserveParcel(trx, orderId, parcel)
        const plan = [...kept, ...unchanged, ...fresh].sort((a, b) => a.parcel - b.parcel)
        await storePlan(trx, orderId, revision, plan)
        return { plan }
      })
    },

    /**
     * A return's units: resellable ones go back on the shelf of the location
     * they were committed from, the others are written off (recorded in
     * `stock_returns`, counted in the answer). Idempotent per returnId.
     *
     * @throws ReturnExceedsShipped (a business refusal) when more units of a SKU come back than the order shipped and has not had back yet.
     */
    async restockReturnedLines({ orderId, returnId, lines }: RestockReturnedLinesInput): Promise<ReturnedStock> {
      return db.transaction().execute(async (trx) => {
        await lockOrder(trx, orderId)
        const receipt = await trx
          .selectFrom('stock_return_receipts')
          .select(['restocked', 'written_off'])
          .where('return_id', '=', returnId)
          .executeTakeFirst()
        if (receipt) return { restocked: receipt.restocked, writtenOff: receipt.written_off }

        const rows = await trx
          .selectFrom('stock_reservations')
          .select(['sku', 'quantity', 'returned', 'location_id', 'parcel'])
          .where('order_id', '=', orderId)
          .where('state', '=', 'committed')
          .orderBy('parcel')
          .orderBy('sku')
          .forUpdate()
          .execute()
        const back: Array<{ row: (typeof rows)[number]; quantity: number; resellable: boolean }> = []
        for (const line of lines) {
          let left = line.quantity
          for (const row of rows.filter((candidate) => candidate.sku === line.sku)) {
            const take = Math.min(left, row.quantity - row.returned)
            if (take <= 0) continue
            row.returned += take
            left -= take
            back.push({ row, quantity: take, resellable: line.resellable })
          }
          if (left > 0) {
            throw businessRefusal(
              'ReturnExceedsShipped',
              `${line.sku}: ${line.quantity} units returned, ${line.quantity - left} shipped and not yet returned`,
              { sku: line.sku, returned: line.quantity, returnable: line.quantity - left },
            )
          }
        }
        await lockStockOf(trx, [...new Set(back.filter((entry) => entry.resellable).map((entry) => entry.row.sku))])
        for (const { row, quantity, resellable } of back) {
          if (resellable) {
            await trx
              .updateTable('stock_levels')
              .set({ on_hand: sql<number>`on_hand + ${quantity}`, updated_at: sql`now()` })
              .where('sku', '=', row.sku)
              .where('location_id', '=', row.location_id)
              .execute()
          }
          await trx
            .updateTable('stock_reservations')
            .set({ returned: sql<number>`returned + ${quantity}`, updated_at: sql`now()` })
            .where('order_id', '=', orderId)
            .where('sku', '=', row.sku)
            .where(sql<number>`coalesce(parcel, 0)`, '=', row.parcel ?? 0)
            .execute()
        }
        if (back.length > 0) {
          await trx
            .insertInto('stock_returns')
            .values(
              back.map(({ row, quantity, resellable }) => ({
                return_id: returnId,
                order_id: orderId,
                sku: row.sku,
                location_id: row.location_id,
                parcel: row.parcel,
                quantity,
                resellable,
              })),
            )
            .execute()
        }
        const restocked = back.filter((entry) => entry.resellable).reduce((sum, entry) => sum + entry.quantity, 0)
        const writtenOff = back.filter((entry) => !entry.resellable).reduce((sum, entry) => sum + entry.quantity, 0)
        await trx
          .insertInto('stock_return_receipts')
          .values({ return_id: returnId, order_id: orderId, restocked, written_off: writtenOff })
          .execute()
        return { restocked, writtenOff }
      })
    },
  }
}

import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Database, ReservationState } from '../db/schema.js'
import type { OrderLineRequest } from '../domain/order-types.js'
import { businessRefusal } from './business-refusal.js'

export interface InventoryDeps {
  db: Kysely<Database>
}

export interface ReserveStockInput {
  orderId: string
  lines: readonly OrderLineRequest[]
}

export interface StockShortage {
  sku: string
  requested: number
  available: number
}

/**
 * Stock on Postgres. Every operation is one transaction, keyed by order, so a
 * retried activity finds its own earlier work instead of doing it twice.
 */
export function createInventoryActivities({ db }: InventoryDeps) {
  /** Moves an order's reservations from one state to another, adjusting stock as it goes. */
  async function transition(orderId: string, from: ReservationState, to: ReservationState): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('stock_reservations')
        .select(['sku', 'quantity'])
        .where('order_id', '=', orderId)
        .where('state', '=', from)
        .orderBy('sku')
        .forUpdate()
        .execute()
      for (const { sku, quantity } of rows) {
        const change =
          to === 'released'
            ? { reserved: sql<number>`reserved - ${quantity}` }
            : to === 'committed'
              ? { reserved: sql<number>`reserved - ${quantity}`, on_hand: sql<number>`on_hand - ${quantity}` }
              : { on_hand: sql<number>`on_hand + ${quantity}` }
        await trx
          .updateTable('stock_levels')
          .set({ ...change, updated_at: sql`now()` })
          .where('sku', '=', sku)
          .execute()
      }
      await trx
        .updateTable('stock_reservations')
        .set({ state: to, updated_at: sql`now()` })
        .where('order_id', '=', orderId)
        .where('state', '=', from)
        .execute()
      return rows.length
    })
  }

  return {
    /**
     * Reserves every line or none. Rows are locked in SKU order, so concurrent
     * orders never deadlock and never reserve more than is on hand.
     */
    async reserveStock({ orderId, lines }: ReserveStockInput): Promise<{ reservedLines: number }> {
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('stock_reservations').select('sku').where('order_id', '=', orderId).execute()
        if (existing.length > 0) return { reservedLines: existing.length }

        const wanted = new Map<string, number>()
        for (const line of lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.quantity)
        const skus = [...wanted.keys()].sort()
        const levels = await trx
          .selectFrom('stock_levels')
          .select(['sku', 'on_hand', 'reserved'])
          .where('sku', 'in', skus)
          .orderBy('sku')
          .forUpdate()
          .execute()
        const shortages: StockShortage[] = skus.flatMap((sku) => {
          const level = levels.find((row) => row.sku === sku)
          const available = level ? level.on_hand - level.reserved : 0
          const requested = wanted.get(sku) ?? 0
          return requested > available ? [{ sku, requested, available }] : []
        })
        if (shortages.length > 0) {
          const list = shortages.map((s) => `${s.sku} (${s.requested} wanted, ${s.available} available)`).join(', ')
          throw businessRefusal('OutOfStock', `Not enough stock: ${list}`, shortages)
        }
        for (const sku of skus) {
          const quantity = wanted.get(sku) ?? 0
          await trx
            .updateTable('stock_levels')
            .set({ reserved: sql<number>`reserved + ${quantity}`, updated_at: sql`now()` })
            .where('sku', '=', sku)
            .execute()
          await trx.insertInto('stock_reservations').values({ order_id: orderId, sku, quantity, state: 'reserved' }).execute()
        }
        return { reservedLines: skus.length }
      })
    },

    /** Gives an order's reserved stock back. Idempotent. */
    async releaseStock({ orderId }: { orderId: string }): Promise<void> {
      await transition(orderId, 'reserved', 'released')
    },

    /** The carrier has the parcel: reserved stock leaves the shelf for good. Idempotent. */
    async commitStock({ orderId }: { orderId: string }): Promise<void> {
      await transition(orderId, 'reserved', 'committed')
    },

    /** A returned parcel's items go back on the shelf. Idempotent. */
    async restockReturnedItems({ orderId }: { orderId: string }): Promise<void> {
      await transition(orderId, 'committed', 'restocked')
    },
  }
}

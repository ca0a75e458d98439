import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import type { ReceivedLine } from '../domain/returns.js'

export interface ReturnedStockDeps {
  db: Kysely<Database>
}

/**
 * Returned items on today's single-location stock: resellable units go back
 * on hand, the rest are written off (they left the shelf at pickup, so only
 * counted). Idempotent per return: the units put back are kept as `restocked`
 * reservation rows under the return's id, so a retry finds them.
 */
export function createReturnedStockActivities({ db }: ReturnedStockDeps) {
  return {
    async restockReturnedLines(input: {
      orderId: string
      returnId: string
      lines: ReceivedLine[]
    }): Promise<{ restocked: number; writtenOff: number }> {
      const resellable = new Map<string, number>()
      for (const line of input.lines.filter((one) => one.resellable))
        resellable.set(line.sku, (resellable.get(line.sku) ?? 0) + line.quantity)
      const writtenOff = input.lines.filter((line) => !line.resellable).reduce((sum, line) => sum + line.quantity, 0)
      const restocked = [...resellable.values()].reduce((sum, units) => sum + units, 0)
      await db.transaction().execute(async (trx) => {
        for (const [sku, quantity] of [...resellable].sort(([a], [b]) => a.localeCompare(b))) {
          const put = await trx
            .insertInto('stock_reservations')
            .values({ order_id: input.returnId, sku, quantity, state: 'restocked' })
            .onConflict((oc) => oc.columns(['order_id', 'sku']).doNothing())
            .returning('sku')
            .executeTakeFirst()
          if (!put) continue
          await trx
            .updateTable('stock_levels')
            .set({ on_hand: sql<number>`on_hand + ${quantity}`, updated_at: sql`now()` })
            .where('sku', '=', sku)
            .execute()
        }
      })
      return { restocked, writtenOff }
    },
  }
}

import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

/**
 * The trigger-kept order counters (migration 003), summed over their shards:
 * one row per metric and label.
 */
export async function sumOrderMetricCounts(db: Kysely<Database>) {
  return db
    .selectFrom('order_metric_counts')
    .select(['metric', 'label', (eb) => eb.fn.sum<number | string>('value').as('value')])
    .groupBy(['metric', 'label'])
    .execute()
}

/** How many orders wait for an admin to confirm cash on delivery (a partial index counts them). */
export async function countOrdersAwaitingConfirmation(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'AWAITING_CONFIRMATION')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

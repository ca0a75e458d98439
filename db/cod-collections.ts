import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

/** Marks a COD collection settled by an admin; settling twice keeps the first settlement. */
export async function settleCodCollection(
  db: Kysely<Database>,
  input: { orderId: string; settledBy: string; amount: number | null },
) {
  await db
    .updateTable('cod_collections')
    .set({
      settled_at: sql`now()`,
      settled_by: input.settledBy,
      settled_amount: input.amount !== null ? input.amount : sql<number>`coalesce(collected_amount, expected_amount)`,
    })
    .where('order_id', '=', input.orderId)
    .where('settled_at', 'is', null)
    .execute()
  return db.selectFrom('cod_collections').selectAll().where('order_id', '=', input.orderId).executeTakeFirst()
}

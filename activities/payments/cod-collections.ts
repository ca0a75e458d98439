import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../../db/schema.js'
import type { CodCollectionOutcome } from '../../domain/vocabulary.js'

export interface CodCollectionDeps {
  db: Kysely<Database>
  logger: Logger
}

export interface CodCollectionRecord {
  orderId: string
  currency: string
  expectedAmount: number
  collectedAmount: number | null
  outcome: CodCollectionOutcome
  trackingNumber: string
  deliveredAt: string
}

/** A delivered cash-on-delivery order whose cash the store has not yet received from the carrier. */
export interface UnsettledCodCollection {
  orderId: string
  currency: string
  expectedAmount: number
  collectedAmount: number | null
  outcome: CodCollectionOutcome
  deliveredAt: string
}

/** Cash on delivery: what carriers collected at the door, kept until the store settles with them. */
export function createCodCollectionActivities({ db, logger }: CodCollectionDeps) {
  return {
    /** Records what the carrier collected for an order, once; a mismatch or a missing amount is logged for follow-up. */
    async recordCodCollection(record: CodCollectionRecord): Promise<void> {
      await db
        .insertInto('cod_collections')
        .values({
          order_id: record.orderId,
          currency: record.currency,
          expected_amount: record.expectedAmount,
          collected_amount: record.collectedAmount,
          outcome: record.outcome,
          tracking_number: record.trackingNumber,
          delivered_at: record.deliveredAt,
        })
        .onConflict((oc) => oc.column('order_id').doNothing())
        .execute()
      if (record.outcome !== 'collected') {
        // Metrics hook: count `cod_collection_discrepancy` by outcome here once the metrics module lands.
        logger.warn(
          { event: 'cod_collection_discrepancy', ...record },
          'cash on delivery: the carrier collected something other than the order total',
        )
      }
    },

    /** Delivered COD orders not yet settled, delivered before `deliveredBefore` (all when null), oldest first. */
    async listUnsettledCodCollections(input: { deliveredBefore: string | null }): Promise<UnsettledCodCollection[]> {
      let query = db
        .selectFrom('cod_collections')
        .select(['order_id', 'currency', 'expected_amount', 'collected_amount', 'outcome', 'delivered_at'])
        .where('settled_at', 'is', null)
        .orderBy('delivered_at')
      if (input.deliveredBefore) query = query.where('delivered_at', '<', new Date(input.deliveredBefore))
      const rows = await query.execute()
      const unsettled = rows.map((row) => ({
        orderId: row.order_id,
        currency: row.currency,
        expectedAmount: row.expected_amount,
        collectedAmount: row.collected_amount,
        outcome: row.outcome,
        deliveredAt: row.delivered_at.toISOString(),
      }))
      logger.info({ event: 'cod_reconciliation', unsettled: unsettled.length }, 'cash on delivery awaiting settlement')
      return unsettled
    },
  }
}

import { type Kysely, type Transaction, sql } from 'kysely'
import type { Logger } from 'pino'
import { queueCustomerNotice } from '../db/notification-outbox.js'
import { type OrderSnapshot, saveOrderSnapshot } from '../db/order-read-model.js'
import type { Database } from '../db/schema.js'
import type { TimelineEntry } from '../domain/order-types.js'
import type { ProcessingFailure } from '../workflows/processing-failure.js'
import { failsForGood, logFailedForGood } from './failure-classification.js'
import type { NoticeRequest } from './notifications.js'

export interface ReadModelDeps {
  db: Kysely<Database>
  logger: Logger
}

/** What an order asks its bookkeeping to write: its state, its new timeline entries, and the notices the change calls for. */
export interface RecordOrderInput {
  order: OrderSnapshot
  newTimelineEntries: TimelineEntry[]
  /** Notices to queue in the outbox in the same transaction; none when left out (orders placed before they were folded in). */
  notices?: NoticeRequest[]
}

/** The parts of a bookkeeping write that failed for good (each already logged); the rest was written. */
export interface RecordOrderOutcome {
  failedForGood: ProcessingFailure[]
}

export function createReadModelActivities({ db, logger }: ReadModelDeps) {
  /**
   * Runs one part of the bookkeeping behind a savepoint: a part Postgres
   * refuses for good (SQLSTATE 22 or 23) is undone alone, logged and
   * returned as the order's failed `step`, and the rest of the transaction
   * goes on. Any other error is thrown, so the whole write is retried.
   */
  async function part(
    trx: Transaction<Database>,
    orderId: string,
    step: 'recordOrder' | 'notifyCustomer',
    write: () => Promise<unknown>,
  ): Promise<ProcessingFailure | null> {
    await sql`savepoint ${sql.id(step)}`.execute(trx)
    try {
      await write()
      await sql`release savepoint ${sql.id(step)}`.execute(trx)
      return null
    } catch (error) {
      if (!failsForGood(error)) throw error
      await sql`rollback to savepoint ${sql.id(step)}`.execute(trx)
      logFailedForGood(logger, orderId, step, error)
      return { step, message: `${step} failed for good: ${error.message}`, sqlState: error.code }
    }
  }

  return {
    /**
     * Persists the order's state change and its new timeline entries to
     * Postgres and queues the notices it calls for, in one transaction: the
     * customer is told of a change only with the change on record. The row's
     * version keeps a late retry from winning; each notice is queued once per
     * order, kind and occurrence. A part that fails for good is left out and
     * reported, so the order can flag it and go on.
     */
    async recordOrder(input: RecordOrderInput): Promise<RecordOrderOutcome> {
      const { order, newTimelineEntries, notices = [] } = input
      const queued: NoticeRequest[] = []
      const failedForGood = await db.transaction().execute(async (trx) => {
        const failed: ProcessingFailure[] = []
        const recorded = await part(trx, order.orderId, 'recordOrder', () => saveOrderSnapshot(trx, order, newTimelineEntries))
        if (recorded) failed.push(recorded)
        for (const notice of notices) {
          const refused = await part(trx, order.orderId, 'notifyCustomer', async () => {
            const inserted = await queueCustomerNotice(trx, { orderId: order.orderId, customerId: order.customerId, ...notice })
            if (inserted) queued.push(notice)
          })
          if (refused) failed.push(refused)
        }
        return failed
      })
      for (const { kind } of queued)
        logger.info({ orderId: order.orderId, customerId: order.customerId, kind }, 'customer notified')
      return { failedForGood }
    },
  }
}

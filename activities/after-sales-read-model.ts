import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { queueCustomerNotice } from '../db/notification-outbox.js'
import { appendOrderTimeline } from '../db/order-read-model.js'
import {
  countAfterSales,
  saveAfterSalesRow,
  saveCodRefundsOwed,
  saveReturns,
  showAfterSalesRefundsOnOrder,
} from '../db/returns.js'
import type { Database } from '../db/schema.js'
import type { AfterSalesActivities, RecordAfterSalesInput } from '../domain/returns.js'

export interface AfterSalesReadModelDeps {
  db: Kysely<Database>
  logger: Logger
}

export function createAfterSalesReadModelActivities({ db, logger }: AfterSalesReadModelDeps) {
  return {
    /**
     * Writes an order's after-sales to Postgres in one transaction: its
     * row (refunds, what is left to refund, the window), its returns, the
     * cash-on-delivery refunds owed, the new entries of the ORDER's
     * timeline, the customer's notices (outbox rows, which the notification
     * dispatcher delivers by mail, on the order's stream and as webhooks),
     * the counters, and the refunds on the order's own row. The state's
     * version guards it all: a write no newer than the one on record (a
     * late retry) changes nothing and counts nothing twice.
     */
    async recordAfterSales(input: RecordAfterSalesInput): Promise<void> {
      const { state, newTimelineEntries, notices, counts } = input
      const queued: string[] = []
      const written = await db.transaction().execute(async (trx) => {
        if (!(await saveAfterSalesRow(trx, state))) return false
        await saveReturns(trx, state)
        await saveCodRefundsOwed(trx, state)
        await appendOrderTimeline(trx, state.orderId, newTimelineEntries)
        await showAfterSalesRefundsOnOrder(trx, state)
        await countAfterSales(trx, state.orderId, counts)
        for (const notice of notices) {
          const inserted = await queueCustomerNotice(trx, {
            orderId: state.orderId,
            customerId: state.customerId,
            kind: notice.kind,
            occurrence: notice.occurrence,
            data: notice.data,
          })
          if (inserted) queued.push(notice.kind)
        }
        return true
      })
      if (!written) {
        logger.info({ orderId: state.orderId, version: state.version }, 'after-sales write older than the one on record: skipped')
      }
      for (const kind of queued) logger.info({ orderId: state.orderId, customerId: state.customerId, kind }, 'customer notified')
    },
  } satisfies Pick<AfterSalesActivities, 'recordAfterSales'>
}

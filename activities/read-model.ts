import type { Kysely } from 'kysely'
import { type OrderSnapshot, saveOrderSnapshot } from '../db/order-read-model.js'
import type { Database } from '../db/schema.js'
import type { TimelineEntry } from '../domain/order-types.js'

export interface ReadModelDeps {
  db: Kysely<Database>
}

export function createReadModelActivities({ db }: ReadModelDeps) {
  return {
    /** Persists the order's state change and its new timeline entries to Postgres. */
    async recordOrder(input: { order: OrderSnapshot; newTimelineEntries: TimelineEntry[] }): Promise<void> {
      await saveOrderSnapshot(db, input.order, input.newTimelineEntries)
    },
  }
}

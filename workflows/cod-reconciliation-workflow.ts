/**
 * The daily cash-on-delivery reconciliation, started by a Temporal Schedule:
 * lists every COD order delivered but not yet settled with its carrier, so
 * an admin can chase the cash and mark each one settled.
 */
import { proxyActivities } from '@temporalio/workflow'
import type { OrderActivities } from '../activities/order-activities.js'
import type { UnsettledCodCollection } from '../activities/payments/cod-collections.js'
import { stepSummaries } from '../domain/order-summaries.js'

const activities = proxyActivities<OrderActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' },
})

export interface CodReconciliation {
  unsettled: UnsettledCodCollection[]
  /** What the unsettled orders add up to, per currency, in minor units. */
  outstanding: Record<string, number>
}

export async function codReconciliationWorkflow(): Promise<CodReconciliation> {
  const unsettled = await activities.listUnsettledCodCollections.executeWithOptions(
    { summary: stepSummaries.listUnsettledCodCollections() },
    [{ deliveredBefore: null }],
  )
  const outstanding: Record<string, number> = {}
  for (const collection of unsettled) {
    outstanding[collection.currency] =
      (outstanding[collection.currency] ?? 0) + (collection.collectedAmount ?? collection.expectedAmount)
  }
  return { unsettled, outstanding }
}

/**
 * The after-sales workflow's ways of calling its activities: the read-model
 * write and stock on our own database, the carrier, and the payment providers
 * (retried as the order's are, so a retry never refunds twice).
 */
import { type ActivityInterfaceFor, proxyActivities } from '@temporalio/workflow'
import type { OrderActivities } from '../../activities/order-activities.js'
import type { AfterSalesActivities } from '../../domain/returns.js'

type Activities = OrderActivities & AfterSalesActivities

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } as const

/** Steps against our own database and the carrier: retried until they succeed or fail for good. */
export const activities: ActivityInterfaceFor<Activities> = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry })

/** Calls to payment providers: retried under the same idempotency key well inside the time providers keep keys. */
export const payments: ActivityInterfaceFor<Activities> = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5h',
  retry,
})

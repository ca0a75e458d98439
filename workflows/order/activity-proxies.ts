/**
 * The order workflow's ways of calling its activities, one per kind of call:
 * the retry policy says how patient each kind may be.
 */
import { proxyActivities } from '@temporalio/workflow'
import type { OrderActivities } from '../../activities/order-activities.js'

/** Steps against our own database and the carrier: retried with backoff until they succeed or fail for good. */
export const activities = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/**
 * Calls to payment providers. Network faults, 5xx and 429 are retried with
 * backoff under the same idempotency key; retries stop well inside the time
 * providers keep keys (PayPal-Request-Id on orders: 6 h; Stripe: 24 h), so a
 * retry can never create a second charge. Declines are non-retryable.
 */
export const payments = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/** Lookups that only name who did what: a few tries, then the order goes on without the name. */
export const lookups = proxyActivities<OrderActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5 } })

/** The kinds of notice the customer gets. */
export type NoticeKind = Parameters<OrderActivities['notifyCustomer']>[0]['kind']

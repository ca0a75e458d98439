/**
 * The order workflow's ways of calling its activities, one per kind of call:
 * the retry policy says how patient each kind may be, and where each runs.
 */
import { type ActivityInterfaceFor, proxyActivities, proxyLocalActivities } from '@temporalio/workflow'
import type { OrderActivities } from '../../activities/order-activities.js'

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } as const

/** Steps against the carrier (and, for orders placed before `small-history`, our own database): retried with backoff until they succeed or fail for good. */
const taskQueueActivities = proxyActivities<OrderActivities>({ startToCloseTimeout: '30s', retry })

/**
 * The same steps run as local activities: in the worker, inside the workflow
 * task that asked for them. Each costs one marker event and no round trip to
 * the server, instead of three events and a workflow task. Only steps on our
 * own database that are quick and idempotent per order run so.
 */
const localActivities = proxyLocalActivities<OrderActivities>({ startToCloseTimeout: '30s', retry })

/** The steps that run locally in an order on the `small-history` code. */
const localSteps: ReadonlySet<string> = new Set<keyof OrderActivities>([
  'priceOrder',
  'reserveStock',
  'releaseStock',
  'commitStock',
  'restockReturnedItems',
  'recordCodCollection',
])

/**
 * Whether this run's database steps are local activities, decided once per
 * run (the workflow's `small-history` change). It is kept on the workflow's
 * own global object, which the SDK gives each workflow (in its reusable V8
 * context, a workflow's globals are swapped in and out with it), so this
 * module holds no state of a workflow's and every workflow in a worker shares
 * it (`workers/shared-workflow-modules.ts`).
 */
const localStepsFlag = '__orderDatabaseStepsRunLocally'
type WorkflowGlobals = Record<typeof localStepsFlag, boolean | undefined>

/** Makes this run's database steps local activities (an order on the `small-history` code). */
export function runDatabaseStepsLocally(): void {
  ;(globalThis as unknown as WorkflowGlobals)[localStepsFlag] = true
}

function databaseStepsRunLocally(): boolean {
  return (globalThis as unknown as WorkflowGlobals)[localStepsFlag] === true
}

/** Steps against our own database and the carrier: retried with backoff until they succeed or fail for good. */
export const activities: ActivityInterfaceFor<OrderActivities> = new Proxy(taskQueueActivities, {
  get(remote, step: string) {
    return databaseStepsRunLocally() && localSteps.has(step) ? Reflect.get(localActivities, step) : Reflect.get(remote, step)
  },
})

/**
 * Bookkeeping: the read model and the customer's outbox, written in one
 * local activity per change of the order (`recordOrder`, with the notices it
 * calls for). Writes are idempotent (the read model's version, the outbox's
 * key), so a retry or a replayed marker never writes twice.
 */
export const bookkeeping = localActivities

/**
 * Calls to payment providers. Network faults, 5xx and 429 are retried with
 * backoff under the same idempotency key; retries stop well inside the time
 * providers keep keys (PayPal-Request-Id on orders: 6 h; Stripe: 24 h), so a
 * retry can never create a second charge. Declines are non-retryable.
 */
export const payments = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5h',
  retry,
})

/** Lookups that only name who did what: a few tries, then the order goes on without the name. */
export const lookups = proxyActivities<OrderActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5 } })

/** The kinds of notice the customer gets. */
export type NoticeKind = Parameters<OrderActivities['notifyCustomer']>[0]['kind']

/** A notice the customer gets with a change of the order. */
export type Notice = NonNullable<Parameters<OrderActivities['recordOrder']>[0]['notices']>[number]

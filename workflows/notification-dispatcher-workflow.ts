/**
 * The notification dispatcher: one long-lived workflow per task queue that
 * hands every outbox row to its own delivery workflow. It waits in an
 * activity that polls the outbox (with heartbeats) rather than in a timer
 * loop of its own, so an idle dispatcher writes a few events a minute, and it
 * continues as new every {@link ROUNDS_PER_RUN} rounds (or sooner when
 * Temporal suggests it), so its history stays small however long it runs.
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  continueAsNew,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow'
import type { OrderActivities } from '../activities/order-activities.js'
import { type NotificationKey, notificationDeliveryWorkflowId } from '../domain/notifications.js'
import { notificationDeliveryWorkflow } from './notification-delivery-workflow.js'

/** Rounds (a wait, the deliveries it found) before the dispatcher continues as new. */
export const ROUNDS_PER_RUN = 100

const waiting = proxyActivities<OrderActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
})

const bookkeeping = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

export async function notificationDispatcherWorkflow(): Promise<never> {
  for (let round = 0; round < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    const due = await waiting.waitForUndispatchedNotifications({ max: 50, idleMs: 60_000 })
    if (due.length === 0) continue
    await Promise.all(due.map(startDelivery))
    await bookkeeping.markNotificationsDispatched({ ids: due.map((notification) => notification.id) })
  }
  return continueAsNew<typeof notificationDispatcherWorkflow>()
}

/** Starts the row's delivery workflow, which lives on after the dispatcher continues as new; once per row. */
async function startDelivery(notification: NotificationKey & { id: number }): Promise<void> {
  try {
    await startChild(notificationDeliveryWorkflow, {
      workflowId: notificationDeliveryWorkflowId(notification),
      args: [{ outboxId: notification.id }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    })
  } catch (error) {
    // Started before (the dispatcher stopped between starting it and marking the row): it is on its way.
    // (Its class is @temporalio/common's, which workflow code does not import: known by name.)
    if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error
  }
}

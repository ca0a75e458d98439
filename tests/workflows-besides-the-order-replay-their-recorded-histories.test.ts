/**
 * The workflows besides the order's (the outbox dispatcher, each notification's
 * delivery, each webhook delivery, the COD reconciliation) replay their
 * recorded histories on today's code. The dispatcher never ends and a webhook
 * delivery retries for days, so a change that issues other commands than one
 * of these histories recorded would break a running one at its next worker
 * restart. The histories in `tests/histories/other-workflows/` were recorded
 * from real runs on the test stack; the README there says from which commit.
 */
import { temporal } from '@temporalio/proto'
import { expect } from 'vitest'
import { installTemporalLogging } from '../logger.js'
import { type History, describeRecordedHistories } from './support/recorded-histories.js'
import { logger } from './support/services.js'

const { EventType } = temporal.api.enums.v1

interface RecordedRun {
  workflowType: string
  /** Still running when recorded (the dispatcher waits for the outbox for ever). */
  open?: boolean
  /** The activities (and, as `child:<type>`, the child workflows) the history scheduled, in order. */
  steps: string[]
}

/** Every file in `tests/histories/other-workflows/`, with what it holds; a new history needs its entry here. */
const recorded: Record<string, RecordedRun> = {
  '2026-12-01-notification-dispatcher-open-after-starting-deliveries.json': {
    workflowType: 'notificationDispatcherWorkflow',
    open: true,
    steps: [
      'waitForUndispatchedNotifications',
      'child:notificationDeliveryWorkflow',
      'markNotificationsDispatched',
      'waitForUndispatchedNotifications',
    ],
  },
  '2026-12-01-notification-delivery-placed-order-stream-and-webhooks.json': {
    workflowType: 'notificationDeliveryWorkflow',
    steps: [
      'planNotificationDelivery',
      'deliverNotification',
      'deliverNotification',
      'deliverNotification',
      'completeNotification',
    ],
  },
  '2026-12-01-webhook-delivery-refused-once-then-delivered.json': {
    workflowType: 'webhookDeliveryWorkflow',
    steps: ['attemptWebhookDelivery', 'attemptWebhookDelivery'],
  },
  // Parcels of split orders (shipment child workflows), recorded at 4dbe9e8.
  '2026-12-01-shipment-parcel-labelled-picked-up-delivered.json': {
    workflowType: 'shipmentWorkflow',
    steps: ['createShipment'],
  },
  '2026-12-01-shipment-parcel-exception-returned-to-sender.json': {
    workflowType: 'shipmentWorkflow',
    steps: ['createShipment'],
  },
  '2026-12-01-shipment-parcel-cancelled-before-hand-over-label-cancelled.json': {
    workflowType: 'shipmentWorkflow',
    steps: ['createShipment', 'cancelShipment'],
  },
  '2026-12-01-cod-reconciliation-one-order-unsettled.json': {
    workflowType: 'codReconciliationWorkflow',
    steps: ['listUnsettledCodCollections'],
  },
}

const folder = new URL('./histories/other-workflows/', import.meta.url)

function scheduledSteps(history: History): string[] {
  return history.events.flatMap((event) => {
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name
    return activity ? [activity] : child ? [`child:${child}`] : []
  })
}

installTemporalLogging(logger, { level: 'ERROR' })

describeRecordedHistories('histories recorded from the workflows besides the order', folder, recorded, (history, expected) => {
  expect(history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(expected.workflowType)
  const last = history.events.at(-1)?.eventType
  if (expected.open) expect(last).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
  else expect(last).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
  expect(scheduledSteps(history)).toEqual(expected.steps)
})

/**
 * A stand-in for the outbox dispatcher in tests: a workflow that publishes
 * order events through the order worker's `publishOrderEvent` activity, on
 * that worker's task queue, as the dispatcher's workflow will.
 */
import { proxyActivities } from '@temporalio/workflow'
import type { OrderEventInput, WebhookActivities } from '../../activities/webhook-activities.js'

export async function publishOrderEventsWorkflow(input: { orderWorkerTaskQueue: string; events: OrderEventInput[] }) {
  const { publishOrderEvent } = proxyActivities<WebhookActivities>({
    taskQueue: input.orderWorkerTaskQueue,
    startToCloseTimeout: '1m',
  })
  const results: Array<Awaited<ReturnType<WebhookActivities['publishOrderEvent']>>> = []
  for (const event of input.events) results.push(await publishOrderEvent(event))
  return results
}

/**
 * One webhook delivery (an order event to one endpoint), tried until it is
 * delivered or given up on: each attempt is an activity that records itself
 * in the delivery log and says when to try again, on the worker's
 * exponential backoff (at least 24 h in production), so the schedule can
 * change without touching this code and every wait is a durable timer.
 */
import { proxyActivities, sleep } from '@temporalio/workflow'
import type { WebhookActivities } from '../activities/webhook-activities.js'
import type { WebhookDeliveryInput, WebhookDeliveryResult } from './webhook-delivery-ids.js'

const { attemptWebhookDelivery } = proxyActivities<WebhookActivities>({
  // The attempt's own timeout is seconds; this covers Postgres around it. A worker lost mid-attempt is retried.
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  // The run's clock starts now: retries stop once the worker's give-up horizon has passed since.
  const runStartedAtMs = Date.now()
  for (let attemptInRun = 1; ; attemptInRun += 1) {
    const result = await attemptWebhookDelivery({ ...input, attemptInRun, runStartedAtMs })
    if (result.retryInMs === null) {
      const status = result.outcome === 'delivered' ? 'delivered' : result.outcome === 'gone' ? 'gone' : 'failed'
      return { status, attempts: attemptInRun }
    }
    await sleep(result.retryInMs)
  }
}

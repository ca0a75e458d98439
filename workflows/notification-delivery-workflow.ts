/**
 * One notification's delivery: a delivery per channel, each retried by
 * Temporal with backoff until it is sent, skipped or refused for good, then
 * the outbox row is marked sent. Started by the dispatcher with an id derived
 * from the row (`notification-<order>-<kind>-<occurrence>`), so a row never has two.
 */
import { ActivityFailure, proxyActivities } from '@temporalio/workflow'
import type { OrderActivities } from '../activities/order-activities.js'

const bookkeeping = proxyActivities<OrderActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/**
 * A send heartbeats every 2 s: a worker that dies mid-send is noticed within
 * 10 s and the attempt runs again on another worker. No attempt limit: a
 * notification is never given up on while retrying can help.
 */
const sending = proxyActivities<OrderActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '30m' },
})

export interface NotificationDeliveryInput {
  outboxId: number
}

export async function notificationDeliveryWorkflow(input: NotificationDeliveryInput): Promise<void> {
  const { channels } = await bookkeeping.planNotificationDelivery(input)
  await Promise.all(channels.map((channel) => deliverOn(input.outboxId, channel)))
  await bookkeeping.completeNotification(input)
}

/** Delivers on one channel; a refusal for good was recorded by the activity and ends this channel only. */
async function deliverOn(outboxId: number, channel: string): Promise<void> {
  try {
    await sending.deliverNotification({ outboxId, channel })
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error
  }
}

import { activityInfo, getClient } from '@temporalio/activity'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { sendWebhook } from '../adapters/webhooks/webhook-sender.js'
import type { WebhookTargetRules } from '../adapters/webhooks/webhook-targets.js'
import { webhookDefaults } from '../config/defaults.js'
import type { Database } from '../db/schema.js'
import { storable, storableText } from '../db/storable-text.js'
import { finishDelivery, findDeliveryWithEvent, recordDeliveryAttempt, recordOrderEvent } from '../db/webhook-deliveries.js'
import {
  findWebhookEndpointForDelivery,
  markWebhookEndpointFailing,
  markWebhookEndpointHealthy,
} from '../db/webhook-endpoints.js'
import { type OrderEvent, type OrderNoticeKind, orderEventTypes } from '../domain/order-events.js'
import { type WebhookDeliveryInput, webhookDeliveryWorkflowId } from '../workflows/webhook-delivery-ids.js'
import { failingForGoodAtOnce } from './failure-classification.js'
import type { NotificationKind } from './notifications.js'

/** How deliveries retry: exponential backoff from `initialIntervalMs`, capped at `maximumIntervalMs`, given up after `giveUpAfterMs`. */
export interface WebhookRetrySchedule {
  initialIntervalMs: number
  backoffCoefficient: number
  maximumIntervalMs: number
  /** How long after a run's first attempt no new attempt starts (at least 24 h in production). */
  giveUpAfterMs: number
}

/** How the worker delivers webhooks; production values in `webhookDefaults` (config/defaults.ts), tests inject short ones. */
export interface WebhookDeliverySettings {
  rules: WebhookTargetRules
  retry: WebhookRetrySchedule
  /** An endpoint whose every attempt has failed for this long is disabled. */
  disableAfterMs: number
  requestTimeoutMs: number
  maxResponseBytes: number
}

export interface WebhookActivityDeps {
  db: Kysely<Database>
  logger: Logger
  /** Defaults to `webhookDefaults`, with private targets refused and http allowed. */
  webhooks?: Partial<WebhookDeliverySettings>
}

/** An order event, as the outbox dispatcher publishes it ({@link OrderEvent}; `data` may be left out). */
export type OrderEventInput = Omit<OrderEvent, 'data'> & { data?: Record<string, unknown> }

/** What one attempt came to, and when the workflow should try again (null: the run is over). */
export interface WebhookAttemptResult {
  attempt: number | null
  outcome: 'delivered' | 'failed' | 'refused' | 'gone'
  retryInMs: number | null
}

// The outbox's kinds and the event vocabulary must name the same notices: this fails to compile when they part.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const noticeKindsMatch: SameKeys<NotificationKind, OrderNoticeKind> = true
void noticeKindsMatch

/** The body of an event, exactly as signed and sent (Standard Webhooks' `type`, `timestamp`, `data`). */
export function webhookBody(event: {
  id: string
  type: string
  orderId: string
  occurredAt: Date
  data: Record<string, unknown>
}) {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: { ...event.data, orderId: event.orderId },
  })
}

/** The wait before attempt `attemptInRun + 1`: exponential, capped. */
export function backoffMs(schedule: WebhookRetrySchedule, attemptInRun: number): number {
  return Math.min(schedule.initialIntervalMs * schedule.backoffCoefficient ** (attemptInRun - 1), schedule.maximumIntervalMs)
}

/**
 * The outbound webhook activities: `publishOrderEvent`, the seam the outbox
 * dispatcher calls per row, and `attemptWebhookDelivery`, one attempt of
 * the delivery workflow.
 *
 * @example
 * ```ts
 * const activities = { ...createOrderActivities(deps), ...createWebhookActivities({ db, logger, webhooks }) }
 * ```
 */
export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { db, logger } = deps
  const settings: WebhookDeliverySettings = {
    ...webhookDefaults,
    rules: { httpsOnly: false, allowPrivateTargets: false },
    ...deps.webhooks,
  }
  const activities = {
    /**
     * Records an order event once by `eventId` and starts its delivery to
     * every enabled endpoint that wants its type (one `webhookDeliveryWorkflow`
     * per endpoint, its id derived from the delivery). Idempotent: publishing
     * the same event again (a retry, the dispatcher re-reading its row)
     * records nothing and starts nothing, and the endpoints it fans out to
     * are those of the first publication.
     */
    async publishOrderEvent(input: OrderEventInput): Promise<{ recorded: boolean; deliveriesStarted: number }> {
      if (!(orderEventTypes as readonly string[]).includes(input.type)) {
        throw ApplicationFailure.nonRetryable(`${input.type} is not an order event type`, 'UnknownOrderEventType')
      }
      const occurredAt = new Date(input.occurredAt)
      if (Number.isNaN(occurredAt.getTime())) {
        throw ApplicationFailure.nonRetryable(`occurredAt ${input.occurredAt} is not a date`, 'InvalidOrderEvent')
      }
      const { recorded, untried } = await recordOrderEvent(db, {
        id: storableText(input.eventId),
        type: input.type,
        orderId: storableText(input.orderId),
        occurredAt,
        data: storable(input.data ?? {}),
      })
      const client = getClient()
      let deliveriesStarted = 0
      for (const { deliveryId } of untried) {
        try {
          // By name: the workflow's own module imports this one's types, and a type import back would be a cycle.
          const args: [WebhookDeliveryInput] = [{ deliveryId, run: 1 }]
          await client.workflow.start('webhookDeliveryWorkflow', {
            workflowId: webhookDeliveryWorkflowId(deliveryId, 1),
            taskQueue: activityInfo().taskQueue,
            args,
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          })
          deliveriesStarted += 1
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
        }
      }
      if (recorded) {
        logger.info(
          { eventId: input.eventId, type: input.type, orderId: input.orderId, deliveriesStarted },
          'order event published',
        )
      }
      return { recorded, deliveriesStarted }
    },

    /**
     * One attempt of a delivery: reads the event and the endpoint, signs the
     * body with every secret that signs now, POSTs it, records the attempt,
     * and says whether and when to try again. A failing endpoint is disabled
     * once it has failed for `disableAfterMs` without a success in between.
     */
    async attemptWebhookDelivery(input: {
      deliveryId: string
      run: number
      attemptInRun: number
      /** When the run began (workflow time): no attempt starts past the give-up horizon from it. */
      runStartedAtMs: number
    }): Promise<WebhookAttemptResult> {
      const delivery = await findDeliveryWithEvent(db, input.deliveryId)
      if (!delivery) return { attempt: null, outcome: 'gone', retryInMs: null }
      const now = new Date()
      const endpoint = await findWebhookEndpointForDelivery(db, delivery.endpointId, now)
      if (!endpoint?.enabled) {
        await finishDelivery(db, input.deliveryId, input.run, 'failed')
        return { attempt: null, outcome: 'gone', retryInMs: null }
      }
      const sent = await sendWebhook({
        url: endpoint.url,
        messageId: delivery.event.id,
        body: webhookBody(delivery.event),
        secrets: endpoint.secrets,
        rules: settings.rules,
        timeoutMs: settings.requestTimeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
        now,
      })
      const attempt = await recordDeliveryAttempt(db, {
        deliveryId: input.deliveryId,
        run: input.run,
        attemptedAt: now,
        outcome: sent.outcome,
        statusCode: sent.statusCode,
        latencyMs: sent.latencyMs,
        error: sent.outcome === 'delivered' ? null : storableText(sent.error),
      })
      const context = { deliveryId: input.deliveryId, endpointId: delivery.endpointId, eventId: delivery.event.id, attempt }
      if (sent.outcome === 'delivered') {
        await markWebhookEndpointHealthy(db, delivery.endpointId)
        await finishDelivery(db, input.deliveryId, input.run, 'delivered')
        logger.info({ ...context, statusCode: sent.statusCode, latencyMs: sent.latencyMs }, 'webhook delivered')
        return { attempt, outcome: 'delivered', retryInMs: null }
      }
      logger.warn({ ...context, outcome: sent.outcome, statusCode: sent.statusCode, error: sent.error }, 'webhook attempt failed')
      const failing = await markWebhookEndpointFailing(db, delivery.endpointId, { now, disableAfterMs: settings.disableAfterMs })
      if (failing.disabled) {
        logger.error(
          { endpointId: delivery.endpointId, url: endpoint.url, failingSince: failing.failingSince?.toISOString() },
          'webhook endpoint disabled: every attempt has failed since failingSince; an admin must fix it and enable it again',
        )
      }
      const retryInMs = backoffMs(settings.retry, input.attemptInRun)
      const givesUp = failing.disabled || now.getTime() + retryInMs - input.runStartedAtMs > settings.retry.giveUpAfterMs
      if (givesUp) {
        await finishDelivery(db, input.deliveryId, input.run, 'failed')
        logger.warn(context, failing.disabled ? 'webhook delivery stopped: endpoint disabled' : 'webhook delivery given up')
        return { attempt, outcome: sent.outcome, retryInMs: null }
      }
      return { attempt, outcome: sent.outcome, retryInMs }
    },
  }
  return failingForGoodAtOnce(activities, logger)
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>

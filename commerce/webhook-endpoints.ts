/**
 * The administration of outbound webhooks: endpoints registered, changed,
 * disabled and deleted, their secrets rotated, their delivery log read and
 * a delivery sent again. No HTTP here: refusals are typed errors.
 */
import { randomBytes } from 'node:crypto'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client'
import { type WebhookTargetRules, webhookUrlRefusal } from '../adapters/webhooks/webhook-targets.js'
import type { Kysely } from '../db/connection.js'
import type { Database } from '../db/schema.js'
import { beginDeliveryRun, findEndpointDelivery, listEndpointDeliveries } from '../db/webhook-deliveries.js'
import {
  type WebhookEndpointRecord,
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from '../db/webhook-endpoints.js'
import type { OrderEventType } from '../domain/order-events.js'
import type { webhookDeliveryWorkflow } from '../workflows/webhook-delivery-workflow.js'
import { webhookDeliveryWorkflowId } from '../workflows/webhook-delivery-ids.js'
import { type Caller, callerName } from './caller.js'
import {
  WebhookDeliveryInProgress,
  WebhookDeliveryNotFound,
  WebhookEndpointNotFound,
  WebhookUrlRefused,
} from './commerce-errors.js'
import { type TemporalDeps, withinTemporalDeadline } from './temporal-deadline.js'

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks writes one. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/** The endpoint, with its secret: answered once, when the secret is made. */
export interface WebhookEndpointWithSecret {
  endpoint: WebhookEndpointRecord
  secret: string
}

function checkUrl(url: string, rules: WebhookTargetRules): void {
  const refusal = webhookUrlRefusal(url, rules)
  if (refusal) throw new WebhookUrlRefused(refusal)
}

/**
 * Registers an endpoint (enabled) and makes its signing secret, answered
 * only now. Literal private addresses and `localhost` are refused here;
 * names are checked again after DNS at each delivery.
 *
 * @throws WebhookUrlRefused
 */
export async function registerWebhookEndpoint(
  db: Kysely<Database>,
  caller: Caller,
  input: { url: string; eventTypes: OrderEventType[]; description: string },
  rules: WebhookTargetRules,
): Promise<WebhookEndpointWithSecret> {
  checkUrl(input.url, rules)
  const secret = newWebhookSecret()
  const endpoint = await insertWebhookEndpoint(db, {
    url: input.url,
    description: input.description,
    eventTypes: [...new Set(input.eventTypes)],
    secret,
    createdBy: callerName(caller),
  })
  return { endpoint, secret }
}

/** A page of endpoints, newest first; `status: 'disabled'` lists those an admin must look at (`disabledReason: 'failing'`). */
export function readWebhookEndpoints(
  db: Kysely<Database>,
  options: { limit: number; status: 'enabled' | 'disabled' | null; afterId: string | null },
) {
  return listWebhookEndpoints(db, options)
}

/** @throws WebhookEndpointNotFound */
export async function readWebhookEndpoint(db: Kysely<Database>, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = await findWebhookEndpoint(db, id)
  if (!endpoint) throw new WebhookEndpointNotFound(id)
  return endpoint
}

/**
 * Changes an endpoint's URL, description, event types, or status: disabling
 * stops its deliveries in flight at their next attempt; enabling clears a
 * disabling for failure and its `failingSince`.
 *
 * @throws WebhookEndpointNotFound, WebhookUrlRefused
 */
export async function changeWebhookEndpoint(
  db: Kysely<Database>,
  id: string,
  changes: { url?: string; description?: string; eventTypes?: OrderEventType[]; status?: 'enabled' | 'disabled' },
  rules: WebhookTargetRules,
): Promise<WebhookEndpointRecord> {
  if (changes.url !== undefined) checkUrl(changes.url, rules)
  const endpoint = await updateWebhookEndpoint(db, id, {
    ...changes,
    ...(changes.eventTypes ? { eventTypes: [...new Set(changes.eventTypes)] } : {}),
  })
  if (!endpoint) throw new WebhookEndpointNotFound(id)
  return endpoint
}

/** Deletes the endpoint and its delivery log; deliveries in flight stop at their next attempt. @throws WebhookEndpointNotFound */
export async function removeWebhookEndpoint(db: Kysely<Database>, id: string): Promise<void> {
  if (!(await deleteWebhookEndpoint(db, id))) throw new WebhookEndpointNotFound(id)
}

/**
 * Makes a new secret, answered only now. The old one keeps signing beside
 * it for `previousValidForMs` (each webhook then carries both signatures), so
 * receivers can switch without missing a webhook; 0 drops it at once.
 *
 * @throws WebhookEndpointNotFound
 */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  id: string,
  options: { previousValidForMs: number },
): Promise<WebhookEndpointWithSecret> {
  const secret = newWebhookSecret()
  const previousValidUntil = options.previousValidForMs > 0 ? new Date(Date.now() + options.previousValidForMs) : null
  const endpoint = await rotateWebhookEndpointSecret(db, id, { secret, previousValidUntil })
  if (!endpoint) throw new WebhookEndpointNotFound(id)
  return { endpoint, secret }
}

/** A page of the endpoint's delivery log, newest first. @throws WebhookEndpointNotFound */
export async function readWebhookDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  options: { limit: number; afterId: string | null },
) {
  await readWebhookEndpoint(db, endpointId)
  return listEndpointDeliveries(db, endpointId, options)
}

/**
 * Sends a delivered or given-up delivery again, as a new run with the same
 * event id (`webhook-id`), so a receiver that already has it dedupes it.
 * The run retries like the first. Starting it is idempotent per run.
 *
 * @throws WebhookEndpointNotFound, WebhookDeliveryNotFound, WebhookDeliveryInProgress
 */
export async function redeliverWebhook(
  deps: TemporalDeps & { db: Kysely<Database>; taskQueue: string },
  endpointId: string,
  deliveryId: string,
): Promise<{ deliveryId: string; run: number }> {
  await readWebhookEndpoint(deps.db, endpointId)
  const delivery = await findEndpointDelivery(deps.db, endpointId, deliveryId)
  if (!delivery) throw new WebhookDeliveryNotFound(deliveryId)
  if (delivery.status === 'pending') throw new WebhookDeliveryInProgress(deliveryId)
  const run = delivery.runs + 1
  // The run is recorded and started in one transaction: a Temporal outage leaves the delivery as it was, and its
  // first attempt waits on the row until the run is committed.
  await deps.db.transaction().execute(async (trx) => {
    if (!(await beginDeliveryRun(trx, deliveryId, run))) throw new WebhookDeliveryInProgress(deliveryId)
    try {
      await withinTemporalDeadline(deps, () =>
        deps.temporal.workflow.start<typeof webhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
          workflowId: webhookDeliveryWorkflowId(deliveryId, run),
          taskQueue: deps.taskQueue,
          args: [{ deliveryId, run }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      )
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
    }
  })
  return { deliveryId, run }
}

/**
 * How the figures drive orders: placed through the API or started raw, moved
 * along by the carrier's events (the API's webhook for the engine's orders, a
 * raw signal for the baseline's), and watched in the read model.
 */
import { randomUUID } from 'node:crypto'
import type { WorkflowStartOptions } from '@temporalio/client'
import type { CarrierEventStatus, OrderStatus, PaymentMethod } from '../domain/vocabulary.js'
import type { PlaceOrderInput } from '../domain/order-types.js'
import { carrierEventSignal, orderWorkflowId } from '../workflows/messages.js'
import { CustomerIdKey, OrderStatusKey, OrderTotalKey, PaymentMethodKey } from '../workflows/search-attributes.js'
import { type BenchStack, benchAddress } from './bench-stack.js'
import { pollUntil } from './load.js'

/** The carrier's four events from pickup to delivery. */
export const journey = ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'] as const

/** `POST /v1/orders` as a customer would; returns the order id once the API answered 201. */
export async function placeThroughApi(stack: BenchStack, token: string, method: 'card' | 'cod'): Promise<string> {
  const { sku } = stack
  const { line2: _l2, region: _r, ...shippingAddress } = benchAddress
  const answer = await stack.call('POST', '/v1/orders', {
    token,
    headers: { 'Idempotency-Key': randomUUID() },
    body: {
      lines: [{ sku, quantity: 1 }],
      paymentMethod: method,
      ...(method === 'card' ? { paymentToken: 'tok_visa' } : {}),
      currency: 'USD',
      shippingAddress,
    },
  })
  if (answer.status !== 201) throw new Error(`POST /v1/orders answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return (answer.body as { id: string }).id
}

/** Priced inputs for `count` orders, made before any clock starts. */
export async function orderInputs(stack: BenchStack, count: number, method: PaymentMethod, customerId: string) {
  const payment = method === 'card' ? { method, token: 'tok_visa', provider: 'sandbox' as const } : { method: 'cod' as const }
  return Promise.all(Array.from({ length: count }, () => stack.orderInput(randomUUID(), customerId, payment)))
}

/** The options of a raw start of the engine's order workflow: what the API's start sends, nothing more. */
export function rawOrderStart(input: PlaceOrderInput, taskQueue: string): WorkflowStartOptions {
  return {
    workflowId: orderWorkflowId(input.orderId),
    taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: OrderStatusKey, value: 'PENDING' },
      { key: CustomerIdKey, value: input.customerId },
      { key: PaymentMethodKey, value: input.payment.method },
      { key: OrderTotalKey, value: input.quote.totals.total },
    ],
  }
}

/** Waits until the read model shows the order in one of `statuses`; returns its row. */
export function orderInReadModel(stack: BenchStack, orderId: string, statuses: readonly OrderStatus[], timeoutMs = 300_000) {
  return pollUntil(
    async () =>
      (await stack.db
        .selectFrom('orders')
        .select(['status', 'total'])
        .where('id', '=', orderId)
        .where('status', 'in', statuses)
        .executeTakeFirst()) ?? null,
    `order ${orderId} to be ${statuses.join(' or ')}`,
    timeoutMs,
    100,
  )
}

/** Waits until the read model shows the order's label bought; returns its tracking number. */
export function labelInReadModel(stack: BenchStack, orderId: string, timeoutMs = 300_000): Promise<string> {
  return pollUntil(
    async () => {
      const found = await stack.db
        .selectFrom('orders')
        .select('shipment')
        .where('id', '=', orderId)
        .where('fulfillment_status', '=', 'LABEL_CREATED')
        .executeTakeFirst()
      return found?.shipment?.trackingNumber ?? null
    },
    `the label of order ${orderId}`,
    timeoutMs,
    100,
  )
}

/** The tracking number of the parcel the simulated carrier made for an order (any workflow's). */
export function parcelOf(stack: BenchStack, orderId: string): Promise<string> {
  return pollUntil(
    async () =>
      (
        await stack.db
          .selectFrom('simulated_parcels')
          .select('tracking_number')
          .where('order_id', '=', orderId)
          .executeTakeFirst()
      )?.tracking_number ?? null,
    `a parcel for ${orderId}`,
    300_000,
    100,
  )
}

/** A carrier event with an id of its own. */
export function carrierEvent(trackingNumber: string, status: CarrierEventStatus) {
  return { eventId: randomUUID(), trackingNumber, status, occurredAt: new Date().toISOString() }
}

/**
 * Sends `statuses` in order through the API's carrier webhook, each answered
 * before the next; a cash-on-delivery parcel's delivery says what was collected.
 */
export async function sendThroughWebhook(
  stack: BenchStack,
  trackingNumber: string,
  statuses: readonly CarrierEventStatus[],
  cashCollected: number | null = null,
) {
  for (const status of statuses) {
    const collected = status === 'DELIVERED' && cashCollected !== null ? { amountCollected: cashCollected } : {}
    const answer = await stack.carrier({ ...carrierEvent(trackingNumber, status), ...collected })
    if (answer.status >= 300) throw new Error(`carrier webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  }
}

/** Signals `statuses` in order straight to a workflow, as the raw SDK would. */
export async function signalRaw(
  stack: BenchStack,
  workflowId: string,
  trackingNumber: string,
  statuses: readonly CarrierEventStatus[],
) {
  const handle = stack.client.workflow.getHandle(workflowId)
  for (const status of statuses)
    await handle.signal(carrierEventSignal, { ...carrierEvent(trackingNumber, status), location: null })
}

/** An engine order through its whole life: placed through the API, confirmed, carried to DELIVERED by the webhook. */
export async function engineOrderToDelivered(
  stack: BenchStack,
  tokens: { customer: string; admin: string },
  method: 'card' | 'cod',
  statuses: readonly CarrierEventStatus[] = journey,
): Promise<{ orderId: string; placementMs: number }> {
  const begun = performance.now()
  const orderId = await placeThroughApi(stack, tokens.customer, method)
  const placementMs = performance.now() - begun
  let cashCollected: number | null = null
  if (method === 'cod') {
    cashCollected = (await orderInReadModel(stack, orderId, ['AWAITING_CONFIRMATION'])).total
    const answer = await stack.call('POST', `/v1/orders/${orderId}/cod-confirmation`, { token: tokens.admin })
    if (answer.status !== 200) throw new Error(`cod-confirmation answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  }
  await sendThroughWebhook(stack, await labelInReadModel(stack, orderId), statuses, cashCollected)
  await orderInReadModel(stack, orderId, ['DELIVERED'])
  return { orderId, placementMs }
}

/** The baseline's order through the same life: started raw, its parcel's events signalled raw, run to its end. */
export async function bareOrderToDelivered(
  stack: BenchStack,
  input: PlaceOrderInput,
  statuses: readonly CarrierEventStatus[] = journey,
): Promise<{ workflowId: string; placementMs: number }> {
  const workflowId = `bare-${input.orderId}`
  const begun = performance.now()
  const handle = await stack.client.workflow.start('bareOrderWorkflow', {
    workflowId,
    taskQueue: stack.baselineQueue,
    args: [input],
  })
  const placementMs = performance.now() - begun
  if (input.payment.method === 'cod') await handle.signal('bareCodConfirmation')
  await signalRaw(stack, workflowId, await parcelOf(stack, input.orderId), statuses)
  await handle.result()
  return { workflowId, placementMs }
}

/**
 * Cancelling an order's workflow in Temporal itself (the Web UI's Request
 * Cancellation, `temporal workflow cancel`, `handle.cancel()`) is an
 * operator's cancellation: before hand-over it runs the same compensation as
 * a cancellation through the API; after it the order goes on.
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client'
import { temporal } from '@temporalio/proto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { carrierEventSignal, statusQuery } from '../workflows/messages.js'
import {
  carrierEvent,
  createProducts,
  notificationsOf,
  paymentsOf,
  reservationsOf,
  startOrder,
  stockOf,
  waitForOrder,
} from './support/fixtures.js'
import { connectServices, type TestServices, testPayloadKeysSetting } from './support/services.js'

const { WorkflowExecutionStatus } = temporal.api.enums.v1
let services: TestServices
beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

async function readModelOf(orderId: string) {
  return services.db
    .selectFrom('orders')
    .select(['status', 'payment_status', 'fulfillment_status', 'cancellation'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow()
}

/** What `npm run admin -- awaiting-confirmation` prints, against this run's Temporal. */
async function awaitingConfirmationByCli(): Promise<string> {
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'cli/admin.ts', 'awaiting-confirmation'], {
    env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_PAYLOAD_KEYS: testPayloadKeysSetting },
  })
  return stdout
}

/** The order ids Temporal lists as awaiting confirmation, as the admin CLI asks. */
async function listedAwaiting(): Promise<string[]> {
  const ids: string[] = []
  for await (const execution of services.client.workflow.list({ query: `OrderStatus='AWAITING_CONFIRMATION'` })) {
    ids.push(execution.workflowId.replace(/^order-/, ''))
  }
  return ids
}

describe('a cancellation requested in Temporal', () => {
  it('on a cash-on-delivery order awaiting confirmation cancels it as the operator: stock released, customer told, no longer listed', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2 }])
    const { orderId, handle } = await startOrder(services, { lines: [{ sku: sku!, quantity: 2 }], payment: { method: 'cod' } })
    await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    await expect.poll(listedAwaiting, { timeout: 30_000 }).toContain(orderId)
    expect(await awaitingConfirmationByCli()).toContain(orderId)

    await handle.cancel()

    const ended = await handle.result().then(
      () => expect.unreachable('the workflow should end Canceled'),
      (error: unknown) => error,
    )
    expect(ended).toBeInstanceOf(WorkflowFailedError)
    expect((ended as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure)
    expect((await handle.describe()).raw.workflowExecutionInfo?.status).toBe(
      WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
    )
    const order = await handle.query(statusQuery)
    const operator = { type: 'operator', id: services.client.options.identity }
    expect(order).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'operator_request', by: operator } })
    expect(order.timeline.slice(-2).map((entry) => [entry.type, entry.actor.type])).toEqual([
      ['stock_released', 'system'],
      ['order_cancelled', 'operator'],
    ])
    await expect.poll(async () => (await readModelOf(orderId)).status, { timeout: 20_000 }).toBe('CANCELLED')
    expect((await readModelOf(orderId)).cancellation).toMatchObject({ reason: 'operator_request', by: operator })
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 2, reserved: 0 })
    expect(await reservationsOf(services.db, orderId)).toEqual([{ sku, quantity: 2, state: 'released' }])
    await expect.poll(() => notificationsOf(services.db, orderId), { timeout: 20_000 }).toEqual(['placed', 'cancelled'])
    await expect.poll(listedAwaiting, { timeout: 30_000 }).not.toContain(orderId)
    expect(await awaitingConfirmationByCli()).not.toContain(orderId)
  })

  it('on a confirmed card order voids the hold, releases the stock and cancels the label, with the reason the operator gave', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')

    // What the Web UI sends for Request Cancellation: the operator's identity and, where asked, a reason.
    await services.client.workflowService.requestCancelWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId },
      identity: 'support-ana@shop.example',
      reason: 'customer phoned: ordered twice',
      requestId: randomUUID(),
    })

    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError)
    const order = await handle.query(statusQuery)
    expect(order).toMatchObject({
      status: 'CANCELLED',
      paymentStatus: 'VOIDED',
      fulfillmentStatus: 'LABEL_CANCELLED',
      cancellation: {
        reason: 'operator_request',
        by: { type: 'operator', id: 'support-ana@shop.example' },
        note: 'customer phoned: ordered twice',
      },
    })
    expect(order.timeline.slice(-4).map((entry) => entry.type)).toEqual([
      'label_cancelled',
      'payment_voided',
      'stock_released',
      'order_cancelled',
    ])
    await expect.poll(async () => (await readModelOf(orderId)).status, { timeout: 20_000 }).toBe('CANCELLED')
    expect(await readModelOf(orderId)).toMatchObject({
      payment_status: 'VOIDED',
      fulfillment_status: 'LABEL_CANCELLED',
      cancellation: { by: { type: 'operator', id: 'support-ana@shop.example' } },
    })
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'voided', captured_amount: 0 }])
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 1, reserved: 0 })
    const parcel = await services.db
      .selectFrom('simulated_parcels')
      .select('cancelled_at')
      .where('tracking_number', '=', labelled.shipment!.trackingNumber)
      .executeTakeFirstOrThrow()
    expect(parcel.cancelled_at).not.toBeNull()
    await expect
      .poll(() => notificationsOf(services.db, orderId), { timeout: 20_000 })
      .toEqual(['placed', 'confirmed', 'cancelled'])
  })

  it('on a shipped order comes too late: the timeline says so, and the order goes on to delivery', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
    await waitForOrder(handle, (order) => order.status === 'SHIPPED')

    await handle.cancel()

    const refused = await waitForOrder(handle, (order) => order.timeline.some((entry) => entry.type === 'cancellation_refused'))
    expect(refused.timeline.at(-1)).toMatchObject({
      type: 'cancellation_refused',
      actor: { type: 'operator', id: services.client.options.identity },
      data: { reason: 'already_shipped' },
    })
    expect(refused).toMatchObject({ status: 'SHIPPED', paymentStatus: 'PAID', cancellation: null })
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'DELIVERED'))
    expect(await handle.result()).toMatchObject({ status: 'DELIVERED', paymentStatus: 'PAID' })
    expect((await handle.describe()).raw.workflowExecutionInfo?.status).toBe(
      WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
    )
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'captured' }])
    await expect.poll(async () => (await readModelOf(orderId)).status, { timeout: 20_000 }).toBe('DELIVERED')
    expect(await notificationsOf(services.db, orderId)).not.toContain('cancelled')
  })
})

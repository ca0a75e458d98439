import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CodReconciliation } from '../workflows/cod-reconciliation-workflow.js'
import { orderWorkflowId } from '../workflows/messages.js'
import type { orderWorkflow } from '../workflows/index.js'
import { ensureCodReconciliationSchedule } from '../workers/cod-reconciliation-schedule.js'
import { shippingAddressInput, createProducts, waitForOrder } from './support/fixtures.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import { logger } from './support/services.js'

let stack: HttpStack
let customer: string
let admin: string

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', 'cust_cod')
  admin = await stack.token('admin', 'admin_cod')
})
afterAll(() => stack?.close())

/** Places a COD order, has an admin confirm it, and waits for its label. */
async function shippableCodOrder() {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 2, unitPrice: 2_500 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress: shippingAddressInput },
  })
  const orderId = placed.body.id as string
  const handle = stack.services.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId))
  await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
  expect((await stack.call('POST', `/v1/orders/${orderId}/cod-confirmation`, { token: admin })).status).toBe(200)
  const labelled = await waitForOrder(handle, (order) => order.shipment !== null)
  const tracking = labelled.shipment!.trackingNumber
  const event = (status: string, extra: Record<string, unknown> = {}) =>
    stack.carrier({ eventId: randomUUID(), trackingNumber: tracking, status, occurredAt: new Date().toISOString(), ...extra })
  return { orderId, handle, total: labelled.totals.total, event }
}

function reconcile(): Promise<CodReconciliation> {
  return stack.services.client.workflow.execute('codReconciliationWorkflow', {
    taskQueue: stack.services.taskQueue,
    workflowId: `cod-reconciliation-test-${randomUUID()}`,
    args: [],
  })
}

describe('cash on delivery', () => {
  it('records what the carrier collected, lists it until an admin settles it, then no longer', async () => {
    const { orderId, handle, total, event } = await shippableCodOrder()
    await event('PICKED_UP')
    await event('DELIVERED', { amountCollected: total })
    const delivered = await handle.result()
    expect(delivered).toMatchObject({ status: 'DELIVERED', paymentStatus: 'PAID', payment: { captured: total } })
    expect(delivered.timeline.map((entry) => entry.type)).not.toContain('cod_collection_mismatch')

    const before = await reconcile()
    expect(before.unsettled.find((row) => row.orderId === orderId)).toMatchObject({
      expectedAmount: total,
      collectedAmount: total,
      outcome: 'collected',
    })
    expect(before.outstanding['USD']).toBeGreaterThanOrEqual(total)

    expect((await stack.call('POST', `/v1/orders/${orderId}/cod-settlement`, { token: customer })).status).toBe(403)
    const settled = await stack.call('POST', `/v1/orders/${orderId}/cod-settlement`, { token: admin })
    expect(settled.status).toBe(200)
    expect(settled.body).toMatchObject({ orderId, settledBy: 'admin_cod', settledAmount: total })
    const again = await stack.call('POST', `/v1/orders/${orderId}/cod-settlement`, { token: admin, body: { amount: 1 } })
    expect(again.body).toMatchObject({ settledAmount: total, settledAt: settled.body.settledAt })

    const after = await reconcile()
    expect(after.unsettled.map((row) => row.orderId)).not.toContain(orderId)
  })

  it('flags a collected amount that differs from the total in the timeline and the record', async () => {
    const { orderId, handle, total, event } = await shippableCodOrder()
    await event('PICKED_UP')
    await event('DELIVERED', { amountCollected: total - 500 })
    const delivered = await handle.result()
    expect(delivered.payment.captured).toBe(total - 500)
    expect(delivered.timeline.find((entry) => entry.type === 'cod_collection_mismatch')?.data).toEqual({
      expected: total,
      collected: total - 500,
    })
    const unsettled = await reconcile()
    expect(unsettled.unsettled.find((row) => row.orderId === orderId)).toMatchObject({ outcome: 'mismatch' })
  })

  it('flags a failed delivery, and refuses to settle what was never delivered', async () => {
    const { orderId, handle, event } = await shippableCodOrder()
    await event('PICKED_UP')
    await event('EXCEPTION')
    const flagged = await waitForOrder(handle, (order) => order.timeline.some((entry) => entry.type === 'cod_delivery_failed'))
    expect(flagged.fulfillmentStatus).toBe('EXCEPTION')
    const refused = await stack.call('POST', `/v1/orders/${orderId}/cod-settlement`, { token: admin })
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ code: 'order_update_refused', reason: 'not_delivered' })
  })

  it('has its daily reconciliation schedule created once, however often workers start', async () => {
    const scheduleId = `cod-reconciliation-test-${randomUUID()}`
    const options = { taskQueue: stack.services.taskQueue, logger, scheduleId }
    expect(await ensureCodReconciliationSchedule(stack.services.client, options)).toBe('created')
    expect(await ensureCodReconciliationSchedule(stack.services.client, options)).toBe('existing')
    const handle = stack.services.client.schedule.getHandle(scheduleId)
    const description = await handle.describe()
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'codReconciliationWorkflow' })
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 6, end: 6, step: 1 }] })
    await handle.delete()
  })
})

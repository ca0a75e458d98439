/**
 * Just after a worker crash an order's workflow task may be failing; the
 * Temporal server then refuses updates with FAILED_PRECONDITION "Workflow
 * Task in failed state". The API answers that 503 with Retry-After, not 500.
 * Reproduced for real: the order's workflow is run by a worker whose
 * `orderWorkflow` fails every workflow task.
 */
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { type NativeConnection, Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orderEngineDataConverter } from '../temporal/data-converter.js'
import { connectWorkerToTemporal } from '../temporal/worker-connection.js'
import { orderWorkflowId } from '../workflows/messages.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import { testPayloadKeys, testTemporal } from './support/services.js'

let stack: HttpStack
let connection: NativeConnection
let worker: Worker
let running: Promise<void>

beforeAll(async () => {
  stack = await startHttpStack()
  // The stack's own worker would run the real workflow: this file's orders go to a worker whose tasks fail.
  await stack.worker.stop()
  connection = await connectWorkerToTemporal(testTemporal())
  worker = await Worker.create({
    connection,
    taskQueue: stack.services.taskQueue,
    dataConverter: orderEngineDataConverter(testPayloadKeys),
    workflowsPath: fileURLToPath(new URL('./support/workflow-task-that-fails.ts', import.meta.url)),
  })
  running = worker.run()
}, 120_000)

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown()
  await running
  await connection?.close()
  await stack?.close()
})

describe('an order whose workflow task is failing', () => {
  it('answers an admin confirmation and a cancellation 503 with Retry-After, naming its workflow', async () => {
    const customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
    const admin = await stack.token('admin', 'admin_failing')
    const [sku] = await createProducts(stack.services.db, [{ onHand: 5 }])
    const placed = await stack.call('POST', '/v1/orders', {
      token: customer,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'cod', shippingAddress: shippingAddressInput },
    })
    expect(placed.status).toBe(201)
    const handle = stack.services.client.workflow.getHandle(orderWorkflowId(placed.body.id))
    // Wait until the task has failed twice: from its third attempt on, the server refuses updates.
    await expect
      .poll(
        async () => {
          const { raw } = await handle.describe()
          return raw.pendingWorkflowTask?.attempt ?? 0
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBeGreaterThanOrEqual(3)

    const confirmed = await stack.call('POST', `/v1/orders/${placed.body.id}/cod-confirmation`, { token: admin })
    const cancelled = await stack.call('POST', `/v1/orders/${placed.body.id}/cancellation`, { token: customer, body: {} })
    console.log(
      `with its workflow task failing: cod-confirmation → ${confirmed.status} Retry-After ${confirmed.headers.get('retry-after')} "${confirmed.body.detail}";` +
        ` cancellation → ${cancelled.status} Retry-After ${cancelled.headers.get('retry-after')}`,
    )
    for (const answer of [confirmed, cancelled]) {
      expect(answer.status).toBe(503)
      expect(answer.body.code).toBe('service_unavailable')
      expect(answer.headers.get('retry-after')).toBe('10')
      expect(answer.body.detail).toContain("Temporal cannot hand requests to this order's workflow right now")
    }
    expect(stack.contractViolations).toEqual([])
  }, 120_000)
})

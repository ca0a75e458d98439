/**
 * Versioning, for real: orders stay open for weeks (a delivered card order
 * waits 30 days in its refund window), so a deploy always meets orders that
 * an earlier version of `orderWorkflow` started. Here a worker runs the
 * workflow bundle of the previous commit, built from git; two orders get
 * mid-journey on it (one confirmed with its label, one delivered in a 30-day
 * refund window); that worker stops, a worker with today's bundle takes the
 * same task queue, and both orders finish on it. Each workflow task records
 * the build id of the worker that ran it (the SDK's default: a hash of the
 * bundle), so the history shows which code ran each part.
 *
 * Bump {@link previousCommit} when a change to the workflow lands, and record
 * its open orders in `tests/histories/` (see the README there).
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WorkflowHandle } from '@temporalio/client'
import { temporal } from '@temporalio/proto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { carrierEventSignal, refundPaymentUpdate } from '../workflows/messages.js'
import { carrierEvent, createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import { settleMs } from './support/patience.js'
import { type TestServices, connectServices } from './support/services.js'
import { buildWorkflowBundleOfCommit } from './support/workflow-bundle-of-commit.js'

/** The last commit before parcels (a shipment child workflow per parcel), edits and after-sales (the order closing at its journey's end). */
const previousCommit = '6a72054'

let services: TestServices
let scratch: string
let previousBundlePath: string

beforeAll(async () => {
  services = await connectServices()
  scratch = await mkdtemp(join(tmpdir(), 'previous-workflow-bundle-'))
  previousBundlePath = join(scratch, `workflow-bundle-${previousCommit}.js`)
  await buildWorkflowBundleOfCommit(previousCommit, previousBundlePath)
})
afterAll(async () => {
  await services?.close()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

/** The hash the SDK puts at the end of a worker's default build id: the bundle's sha256. */
async function bundleHash(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path, 'utf8'))
    .digest('hex')
}

/** Waits until the workflow has nothing to do: no workflow task and no activity pending. */
async function idle(handle: WorkflowHandle): Promise<void> {
  await expect
    .poll(
      async () => {
        const { raw } = await handle.describe()
        return raw.pendingWorkflowTask == null && (raw.pendingActivities?.length ?? 0) === 0
      },
      { timeout: settleMs, interval: 200 },
    )
    .toBe(true)
}

/** The build id of every completed workflow task, in order, with repeats folded: which code ran the order, in turn. */
async function codeThatRan(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory()
  const ids = (events ?? [])
    .filter((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    .map((event) => event.workflowTaskCompletedEventAttributes?.workerVersion?.buildId ?? '')
  return ids.filter((id, index) => id !== ids[index - 1])
}

describe(`orders started on the workflow code of ${previousCommit}`, () => {
  it("continue on today's code and finish: one confirmed with its label, one delivered in a 30-day refund window", async () => {
    const previousHash = await bundleHash(previousBundlePath)
    const todaysHash = await bundleHash(inject('workflowBundlePath'))
    expect(todaysHash).not.toBe(previousHash)

    const previous = await services.startWorker({ workflowBundlePath: previousBundlePath })
    const [sku] = await createProducts(services.db, [{ onHand: 2, unitPrice: 2_000 }])
    const card = { method: 'card', token: 'tok_visa' } as const
    const labelled = await startOrder(services, { lines: [{ sku: sku!, quantity: 1 }], payment: card, refundWindowMs: 3_000 })
    const delivered = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: card,
      refundWindowMs: 30 * 86_400_000,
    })
    const labelledAt = await waitForOrder(labelled.handle, (order) => order.shipment !== null)
    const deliveredLabel = await waitForOrder(delivered.handle, (order) => order.shipment !== null)
    for (const status of ['PICKED_UP', 'DELIVERED'] as const) {
      await idle(delivered.handle)
      await delivered.handle.signal(carrierEventSignal, carrierEvent(deliveredLabel, status))
    }
    const inWindow = await waitForOrder(delivered.handle, (order) => order.status === 'DELIVERED')
    expect(inWindow).toMatchObject({ paymentStatus: 'PAID', payment: { captured: 2_599 } })
    expect(Date.parse(inWindow.payment.refundableUntil ?? '') - Date.now()).toBeGreaterThan(29 * 86_400_000)
    expect(labelledAt).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'AUTHORIZED', fulfillmentStatus: 'LABEL_CREATED' })
    await idle(labelled.handle)
    await idle(delivered.handle)
    await previous.stop()

    await services.startWorker()
    for (const status of ['PICKED_UP', 'IN_TRANSIT', 'DELIVERED'] as const) {
      await labelled.handle.signal(carrierEventSignal, carrierEvent(labelledAt, status))
      await idle(labelled.handle)
    }
    const refunded = await delivered.handle.executeUpdate(refundPaymentUpdate, {
      updateId: `refund-${delivered.orderId}-after-the-deploy`,
      args: [{ actor: { type: 'admin', id: 'admin_versioning' }, amount: 2_599, reason: 'returned_items', note: null }],
    })
    expect(refunded).toMatchObject({ status: 'DELIVERED', paymentStatus: 'REFUNDED', payment: { refunded: 2_599 } })

    const shippedAndDelivered = await labelled.handle.result()
    expect(shippedAndDelivered).toMatchObject({ status: 'DELIVERED', paymentStatus: 'PAID', payment: { captured: 2_599 } })
    expect(shippedAndDelivered.timeline.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['label_created', 'payment_captured', 'carrier_event']),
    )
    const refundedInWindow = await delivered.handle.result()
    expect(refundedInWindow).toMatchObject({ status: 'DELIVERED', paymentStatus: 'REFUNDED' })
    expect(refundedInWindow.timeline.at(-1)).toMatchObject({ type: 'payment_refunded', actor: { type: 'admin' } })

    // The previous code ran each order up to the deploy, today's code from then to its end.
    for (const handle of [labelled.handle, delivered.handle]) {
      const ran = await codeThatRan(handle)
      console.log(`${handle.workflowId} ran on:`, ran.map((id) => `…${id.slice(-12)}`).join(' then '))
      expect(ran).toHaveLength(2)
      expect(ran[0]).toMatch(new RegExp(`\\+${previousHash}$`))
      expect(ran[1]).toMatch(new RegExp(`\\+${todaysHash}$`))
    }
  })
})

/**
 * Versioning, for real: orders stay open for weeks (a delivered card order
 * waits 30 days in its refund window), so a deploy always meets orders that
 * an earlier version of `orderWorkflow` started. Here a worker runs the
 * workflow bundle of an earlier commit, built from git; orders get
 * mid-journey on it; that worker stops, a worker with today's bundle takes
 * the same task queue, and the orders finish on it. Each workflow task
 * records the build id of the worker that ran it (the SDK's default: a hash
 * of the bundle), so the history shows which code ran each part.
 *
 * Two earlier versions: the commit before parcels (one confirmed with its
 * label, one delivered in a 30-day refund window), and {@link previousCommit},
 * where every parcel had a child workflow (one confirmed with its parcel's
 * child, which keeps it; one cash-on-delivery order waiting for its
 * confirmation, which on today's code ships its one parcel itself).
 *
 * Bump {@link previousCommit} when a change to the workflow lands, and record
 * its open orders in `tests/histories/` (see the README there).
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client'
import { temporal } from '@temporalio/proto'
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest'
import { shipmentWorkflowId } from '../domain/fulfilment.js'
import { carrierEventSignal, confirmCodUpdate, refundPaymentUpdate } from '../workflows/messages.js'
import { carrierEvent, createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import { keepHistory } from './support/kept-histories.js'
import { settleMs } from './support/patience.js'
import { type TestServices, connectServices } from './support/services.js'
import { buildWorkflowBundleOfCommit } from './support/workflow-bundle-of-commit.js'

/** The last commit before parcels (a shipment child workflow per parcel), edits and after-sales (the order closing at its journey's end). */
const commitBeforeParcels = '6a72054'
/** The last commit where an order in one parcel ran a shipment child workflow for it. */
const previousCommit = '0554149'

let services: TestServices
let scratch: string
let bundleBeforeParcels: string
let previousBundlePath: string

beforeAll(async () => {
  services = await connectServices()
  scratch = await mkdtemp(join(tmpdir(), 'previous-workflow-bundle-'))
  bundleBeforeParcels = join(scratch, `workflow-bundle-${commitBeforeParcels}.js`)
  previousBundlePath = join(scratch, `workflow-bundle-${previousCommit}.js`)
  await buildWorkflowBundleOfCommit(commitBeforeParcels, bundleBeforeParcels)
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

/** Checks that the previous code ran each order up to the deploy, and today's code from then to its end. */
async function ranOnBothCodes(handles: WorkflowHandle[], previousBundle: string): Promise<void> {
  const previousHash = await bundleHash(previousBundle)
  const todaysHash = await bundleHash(inject('workflowBundlePath'))
  expect(todaysHash).not.toBe(previousHash)
  for (const handle of handles) {
    const ran = await codeThatRan(handle)
    console.log(`${handle.workflowId} ran on:`, ran.map((id) => `…${id.slice(-12)}`).join(' then '))
    expect(ran).toHaveLength(2)
    expect(ran[0]).toMatch(new RegExp(`\\+${previousHash}$`))
    expect(ran[1]).toMatch(new RegExp(`\\+${todaysHash}$`))
  }
}

describe(`orders started on the workflow code of ${commitBeforeParcels}`, () => {
  it("continue on today's code and finish: one confirmed with its label, one delivered in a 30-day refund window", async () => {
    const previous = await services.startWorker({ workflowBundlePath: bundleBeforeParcels })
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

    await ranOnBothCodes([labelled.handle, delivered.handle], bundleBeforeParcels)
  })
})

describe(`orders started on the workflow code of ${previousCommit}`, () => {
  it("continue on today's code: a parcel's child keeps its journey, a COD order confirmed after the deploy ships its parcel itself", async () => {
    // A task queue of its own: the worker the test above deployed keeps running on the shared one.
    const on = await connectServices()
    onTestFinished(() => on.close())
    const previous = await on.startWorker({ workflowBundlePath: previousBundlePath })
    const [sku] = await createProducts(on.db, [{ onHand: 2, unitPrice: 2_000 }])
    const lines = [{ sku: sku!, quantity: 1 }]
    const labelled = await startOrder(on, { lines, payment: { method: 'card', token: 'tok_visa' } })
    const cod = await startOrder(on, { lines, payment: { method: 'cod' } })
    const labelledAt = await waitForOrder(labelled.handle, (order) => order.shipment !== null)
    await waitForOrder(cod.handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    const child = on.client.workflow.getHandle(shipmentWorkflowId(labelled.orderId, 1))
    expect((await child.describe()).status.name).toBe('RUNNING')
    await idle(labelled.handle)
    await idle(cod.handle)
    await keepHistory(labelled.handle, 'card-order-on-the-parcels-code-labelled-by-its-parcels-child-still-open')
    await keepHistory(cod.handle, 'cod-order-on-the-parcels-code-awaiting-confirmation-still-open')
    await previous.stop()

    await on.startWorker()
    for (const status of ['PICKED_UP', 'IN_TRANSIT', 'DELIVERED'] as const) {
      await labelled.handle.signal(carrierEventSignal, carrierEvent(labelledAt, status))
      await idle(labelled.handle)
    }
    expect(await labelled.handle.result()).toMatchObject({ status: 'DELIVERED', paymentStatus: 'PAID' })
    expect(await child.result()).toBe('delivered')

    const admin = { type: 'admin' as const, id: 'admin_versioning' }
    await cod.handle.executeUpdate(confirmCodUpdate, { args: [{ actor: admin }] })
    const codLabelled = await waitForOrder(cod.handle, (order) => order.shipment !== null)
    expect(codLabelled.shipments).toMatchObject([{ parcel: 1, status: 'LABEL_CREATED' }])
    for (const status of ['PICKED_UP', 'DELIVERED'] as const) {
      await idle(cod.handle)
      const collected = status === 'DELIVERED' ? { amountCollected: codLabelled.totals.total } : {}
      await cod.handle.signal(carrierEventSignal, { ...carrierEvent(codLabelled, status), ...collected })
    }
    expect(await cod.handle.result()).toMatchObject({ status: 'DELIVERED', paymentStatus: 'PAID' })
    // Confirmed on today's code: no child workflow for its one parcel.
    const noChild = on.client.workflow.getHandle(shipmentWorkflowId(cod.orderId, 1)).describe()
    await expect(noChild).rejects.toThrow(WorkflowNotFoundError)

    await ranOnBothCodes([labelled.handle, cod.handle], previousBundlePath)
  })
})

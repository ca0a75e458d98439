/**
 * After delivery the order's workflow has completed; returns, exchanges,
 * goodwill refunds and cash-on-delivery refunds owed run in the order's
 * after-sales workflow (`order-<id>-aftersales`), started by the first
 * request with Update-with-Start, as the API's use cases start it. Real
 * worker, dev server, Postgres, sandbox payments and simulated carrier.
 *
 * With RECORD_AFTER_SALES_HISTORIES=<dir>, each path's history is saved there,
 * and the first card order's in its parent folder (tests/histories/after-sales/
 * and tests/histories/ hold the ones recorded so).
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { WorkflowHandle } from '@temporalio/client'
import type { UpdateDefinition } from '@temporalio/common'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor, OrderState } from '../domain/order-types.js'
import { type AfterSalesState, afterSalesWorkflowId } from '../domain/returns.js'
import {
  afterSalesQuery,
  afterSalesRefundUpdate,
  approveReturnUpdate,
  receiveReturnUpdate,
  rejectReturnUpdate,
  requestReturnUpdate,
  returnCarrierEventSignal,
  settleCodRefundUpdate,
} from '../workflows/after-sales/messages.js'
import type { afterSalesWorkflow } from '../workflows/after-sales/after-sales-workflow.js'
import { carrierEventSignal, confirmCodUpdate } from '../workflows/messages.js'
import {
  carrierEvent,
  createProducts,
  notificationsOf,
  paymentsOf,
  startOrder,
  stockOf,
  waitForOrder,
  refusalOf,
} from './support/fixtures.js'
import { askAfterSales } from './support/after-sales.js'
import { settleMs } from './support/patience.js'
import { connectServices, type TestServices } from './support/services.js'

let services: TestServices
const admin: Actor = { type: 'admin', id: 'ops_jane' }
const customer: Actor = { type: 'customer', id: 'cust_test' }
const recordTo = process.env['RECORD_AFTER_SALES_HISTORIES']
let orderRecorded = false

beforeAll(async () => {
  services = await connectServices()
  await services.startWorker()
})
afterAll(() => services?.close())

/** A card (or COD) order placed, picked up and delivered: its workflow has completed. */
async function deliveredOrder(lines: { sku: string; quantity: number }[], method: 'card' | 'cod' = 'card') {
  const payment = method === 'card' ? { method: 'card' as const, token: 'tok_visa' } : { method: 'cod' as const }
  const { orderId, handle } = await startOrder(services, { lines, payment, refundWindowMs: 60_000 })
  if (method === 'cod') {
    await waitForOrder(handle, (order) => order.status === 'AWAITING_CONFIRMATION')
    await handle.executeUpdate(confirmCodUpdate, { args: [{ actor: admin }] })
  }
  const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
  await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
  await handle.signal(carrierEventSignal, {
    ...carrierEvent(labelled, 'DELIVERED'),
    ...(method === 'cod' ? { amountCollected: labelled.totals.total } : {}),
  })
  const order = await handle.result()
  expect(order.status).toBe('DELIVERED')
  expect((await handle.describe()).status.name).toBe('COMPLETED')
  if (recordTo && method === 'card' && !orderRecorded) {
    orderRecorded = true
    const history = JSON.stringify(await handle.fetchHistory(), null, 2) + '\n'
    writeFileSync(join(recordTo, '..', '2026-12-01-card-order-delivered-closes-at-its-journeys-end.json'), history)
  }
  return { orderId, order }
}

function ask<Ret, Args extends [unknown]>(
  order: OrderState,
  update: UpdateDefinition<Ret, Args>,
  arg: Args[0],
  windows: { returnWindowMs?: number; returnShipDeadlineMs?: number } = {},
): Promise<Ret> {
  return askAfterSales(services, order, update, arg, windows)
}

function afterSalesOf(orderId: string): WorkflowHandle<typeof afterSalesWorkflow> {
  return services.client.workflow.getHandle(afterSalesWorkflowId(orderId))
}

async function until(orderId: string, ready: (state: AfterSalesState) => boolean): Promise<AfterSalesState> {
  const deadline = Date.now() + settleMs
  for (;;) {
    const state = await afterSalesOf(orderId).query(afterSalesQuery)
    if (ready(state)) return state
    if (Date.now() > deadline)
      throw new Error(`after-sales never got there: ${JSON.stringify(state.returns.map((r) => r.status))}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function record(orderId: string, name: string): Promise<void> {
  if (!recordTo) return
  mkdirSync(recordTo, { recursive: true })
  // Saved once idle, waiting for news with its timers started, as a deploy would meet it.
  for (;;) {
    const { raw } = await afterSalesOf(orderId).describe()
    if (!raw.pendingWorkflowTask && (raw.pendingActivities ?? []).length === 0) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const history = await afterSalesOf(orderId).fetchHistory()
  writeFileSync(join(recordTo, `2026-12-01-${name}.json`), JSON.stringify(history, null, 2) + '\n')
}

async function orderTimeline(orderId: string): Promise<string[]> {
  const rows = await services.db
    .selectFrom('order_timeline')
    .select(['type'])
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .execute()
  return rows.map((row) => row.type)
}

describe("an order's after-sales", () => {
  it('returns two lines: approved, carried, received (one resellable, one not), refunded by line with the shipping', async () => {
    const [shirt, mug] = await createProducts(services.db, [
      { onHand: 5, unitPrice: 2_500 },
      { onHand: 5, unitPrice: 1_000 },
    ])
    const { orderId, order } = await deliveredOrder([
      { sku: shirt!, quantity: 2 },
      { sku: mug!, quantity: 1 },
    ])
    expect(order.totals).toMatchObject({ subtotal: 6_000, shipping: 599, total: 6_599 })
    const returnId = randomUUID()
    const requested = await ask(order, requestReturnUpdate, {
      returnId,
      actor: customer,
      lines: [
        { sku: shirt!, quantity: 1, reason: 'damaged' },
        { sku: mug!, quantity: 1, reason: 'no_longer_needed' },
      ],
      note: 'the shirt has a hole',
    })
    expect(requested.status).toBe('REQUESTED')
    // Linked to its order for operators: `OrderId='<id>'` lists it in the CLI and the Web UI.
    expect((await afterSalesOf(orderId).describe()).searchAttributes['OrderId']).toEqual([orderId])
    const approved = await ask(order, approveReturnUpdate, { returnId, actor: admin, note: 'sorry' })
    expect(approved).toMatchObject({ status: 'APPROVED', label: { carrier: 'simcarrier' } })
    const tracking = approved.label!.trackingNumber
    await afterSalesOf(orderId).signal(returnCarrierEventSignal, {
      eventId: `ret-${returnId}-1`,
      trackingNumber: tracking,
      status: 'PICKED_UP',
      occurredAt: new Date().toISOString(),
      location: null,
    })
    await until(orderId, (state) => state.returns[0]?.status === 'IN_TRANSIT')
    const refunded = await ask(order, receiveReturnUpdate, {
      returnId,
      actor: admin,
      lines: [
        { sku: shirt!, quantity: 1, resellable: true },
        { sku: mug!, quantity: 1, resellable: false },
      ],
      note: null,
    })
    // The shirt's reason is the shop's fault: the lines at the price paid, and the shipping.
    expect(refunded).toMatchObject({
      status: 'REFUNDED',
      refund: { amount: 2_500 + 1_000 + 599, currency: 'USD', shipping: 599 },
      restocked: 1,
      writtenOff: 1,
    })
    expect(await stockOf(services.db, shirt!)).toEqual({ on_hand: 4, reserved: 0 })
    expect(await stockOf(services.db, mug!)).toEqual({ on_hand: 4, reserved: 0 })
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ captured_amount: 6_599, refunded_amount: 4_099 }])
    const state = await afterSalesOf(orderId).query(afterSalesQuery)
    expect(state).toMatchObject({ refundable: 2_500, refunds: [{ refundNumber: 1, amount: 4_099, returnId }] })
    expect(await orderTimeline(orderId)).toEqual(
      expect.arrayContaining([
        'return_requested',
        'return_approved',
        'return_carrier_event',
        'return_received',
        'payment_refunded',
      ]),
    )
    expect(await notificationsOf(services.db, orderId)).toEqual(
      expect.arrayContaining(['return_requested', 'return_approved', 'return_received', 'refunded']),
    )
    console.log(`return ${returnId}: refunded ${refunded.refund!.amount} USD; shirt on hand 3→4, mug written off (4)`)
    await record(orderId, 'after-sales-card-return-of-two-lines-approved-carried-received-refunded-open')
  })

  it('rejects a return, refuses one past the window, and closes a return nobody ships by itself', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 5, unitPrice: 2_000 }])
    const { orderId, order } = await deliveredOrder([{ sku: sku!, quantity: 2 }])
    const windows = { returnWindowMs: 8_000, returnShipDeadlineMs: 1_500 }
    const first = randomUUID()
    const line = { sku: sku!, quantity: 1, reason: 'other' as const }
    await ask(order, requestReturnUpdate, { returnId: first, actor: customer, lines: [line], note: null }, windows)
    const rejected = await ask(order, rejectReturnUpdate, { returnId: first, actor: admin, note: 'worn' })
    expect(rejected.status).toBe('REJECTED')
    const second = randomUUID()
    await ask(order, requestReturnUpdate, { returnId: second, actor: customer, lines: [line], note: null })
    await ask(order, approveReturnUpdate, { returnId: second, actor: admin, note: null })
    const closed = await until(orderId, (state) => state.returns[1]?.status === 'CLOSED')
    expect(closed.returns[1]?.timeline.map((entry) => entry.type)).toEqual([
      'return_requested',
      'return_approved',
      'return_closed',
    ])
    // The window (8 s after delivery) passes with nothing pending: the workflow closes.
    const final = await afterSalesOf(orderId).result()
    expect(final).toMatchObject({ closed: true, refunds: [] })
    await record(orderId, 'after-sales-return-rejected-then-one-not-shipped-closed-by-itself-window-passed')
    // Past the window a new request starts a new run, which refuses it.
    const late = ask(order, requestReturnUpdate, { returnId: randomUUID(), actor: customer, lines: [line], note: null }, windows)
    expect(await refusalOf(late)).toBe('return_window_closed')
    expect(await notificationsOf(services.db, orderId)).toEqual(expect.arrayContaining(['return_rejected', 'return_closed']))
  })

  it('exchanges a line for a cheaper one: the replacement ships, the difference is refunded', async () => {
    const [shirt, cheaper] = await createProducts(services.db, [
      { onHand: 3, unitPrice: 2_500 },
      { onHand: 3, unitPrice: 2_000 },
    ])
    const { orderId, order } = await deliveredOrder([{ sku: shirt!, quantity: 1 }])
    const returnId = randomUUID()
    const dear = ask(order, requestReturnUpdate, {
      returnId: randomUUID(),
      actor: customer,
      lines: [{ sku: shirt!, quantity: 1, reason: 'wrong_item' }],
      note: null,
      exchange: [{ sku: cheaper!, quantity: 2 }],
    })
    expect(await refusalOf(dear)).toBe('exchange_not_allowed')
    const requested = await ask(order, requestReturnUpdate, {
      returnId,
      actor: customer,
      lines: [{ sku: shirt!, quantity: 1, reason: 'wrong_item' }],
      note: 'wrong size',
      exchange: [{ sku: cheaper!, quantity: 1 }],
    })
    expect(requested.exchange).toMatchObject({ difference: -500, lines: [{ sku: cheaper, quantity: 1, unitPrice: 2_000 }] })
    await ask(order, approveReturnUpdate, { returnId, actor: admin, note: null })
    const exchanged = await ask(order, receiveReturnUpdate, {
      returnId,
      actor: admin,
      lines: [{ sku: shirt!, quantity: 1, resellable: true }],
      note: null,
    })
    expect(exchanged).toMatchObject({
      status: 'CLOSED',
      refund: { amount: 500, shipping: 0 },
      exchange: { parcel: { carrier: 'simcarrier' } },
    })
    expect(await stockOf(services.db, shirt!)).toEqual({ on_hand: 3, reserved: 0 })
    expect(await stockOf(services.db, cheaper!)).toEqual({ on_hand: 2, reserved: 0 })
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ refunded_amount: 500 }])
    await record(orderId, 'after-sales-exchange-for-a-cheaper-line-shipped-difference-refunded-open')
  })

  it('makes a goodwill refund after the order workflow completed, with the same refusals', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2, unitPrice: 3_000 }])
    const { orderId, order } = await deliveredOrder([{ sku: sku!, quantity: 1 }])
    const tooMuch = ask(order, afterSalesRefundUpdate, { actor: admin, amount: 9_999, reason: 'goodwill', note: null })
    expect(await refusalOf(tooMuch)).toBe('exceeds_refundable')
    const byCustomer = ask(order, afterSalesRefundUpdate, { actor: customer, amount: 100, reason: 'goodwill', note: null })
    expect(await refusalOf(byCustomer)).toBe('not_admin')
    const after = await ask(order, afterSalesRefundUpdate, { actor: admin, amount: 700, reason: 'goodwill', note: 'late' })
    expect(after).toMatchObject({ refundable: 3_599 - 700, refunds: [{ refundNumber: 1, amount: 700, returnId: null }] })
    expect(await paymentsOf(services.db, orderId)).toMatchObject([{ refunded_amount: 700 }])
    expect(await orderTimeline(orderId)).toContain('payment_refunded')
    await record(orderId, 'after-sales-goodwill-refund-after-the-order-closed-open')
  })

  it('records a cash-on-delivery return as owed, until an admin settles it', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2, unitPrice: 1_500 }])
    const { orderId, order } = await deliveredOrder([{ sku: sku!, quantity: 2 }], 'cod')
    const returnId = randomUUID()
    await ask(order, requestReturnUpdate, {
      returnId,
      actor: customer,
      lines: [{ sku: sku!, quantity: 1, reason: 'no_longer_needed' }],
      note: null,
    })
    await ask(order, approveReturnUpdate, { returnId, actor: admin, note: null })
    const received = await ask(order, receiveReturnUpdate, {
      returnId,
      actor: admin,
      lines: [{ sku: sku!, quantity: 1, resellable: true }],
      note: null,
    })
    expect(received).toMatchObject({ status: 'RECEIVED', refund: { amount: 1_500, shipping: 0 } })
    const owed = await afterSalesOf(orderId).query(afterSalesQuery)
    expect(owed.codRefundsOwed).toMatchObject([{ id: 'cod-refund-1', amount: 1_500, settledAt: null }])
    const settled = await ask(order, settleCodRefundUpdate, {
      codRefundId: 'cod-refund-1',
      actor: admin,
      reference: 'SEPA-42',
      note: null,
    })
    expect(settled.codRefundsOwed[0]).toMatchObject({ settledBy: admin, reference: 'SEPA-42' })
    expect(settled.returns[0]?.status).toBe('REFUNDED')
    const again = ask(order, settleCodRefundUpdate, { codRefundId: 'cod-refund-1', actor: admin, reference: null, note: null })
    expect(await refusalOf(again)).toBe('already_settled')
    expect(await notificationsOf(services.db, orderId)).toEqual(expect.arrayContaining(['cod_refund_owed', 'cod_refund_settled']))
    await record(orderId, 'after-sales-cod-return-owed-then-settled-open')
  })

  it('closes a received return without its refund when the provider refuses it, so nothing waits forever', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2, unitPrice: 2_000 }])
    const { orderId, order } = await deliveredOrder([{ sku: sku!, quantity: 1 }])
    const returnId = randomUUID()
    const lines = [{ sku: sku!, quantity: 1, reason: 'no_longer_needed' as const }]
    await ask(order, requestReturnUpdate, { returnId, actor: customer, lines, note: null })
    await ask(order, approveReturnUpdate, { returnId, actor: admin, note: null })
    // Refunded in full from the provider's own dashboard meanwhile: the provider refuses any more.
    await services.db
      .updateTable('sandbox_payments')
      .set((eb) => ({ refunded_amount: eb.ref('captured_amount') }))
      .where('order_id', '=', orderId)
      .execute()
    const closed = await ask(order, receiveReturnUpdate, {
      returnId,
      actor: admin,
      lines: [{ sku: sku!, quantity: 1, resellable: true }],
      note: null,
    })
    expect(closed).toMatchObject({ status: 'CLOSED', refund: null, restocked: 1 })
    expect(closed.timeline.map((entry) => entry.type)).toEqual([
      'return_requested',
      'return_approved',
      'return_received',
      'refund_failed',
      'return_closed',
    ])
    expect((await afterSalesOf(orderId).query(afterSalesQuery)).refunds).toEqual([])
    await record(orderId, 'after-sales-return-received-refund-refused-by-the-provider-closed-open')
  })

  it('takes no more returned than delivered from 20 concurrent requests for the same lines', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 3, unitPrice: 1_000 }])
    const { order } = await deliveredOrder([{ sku: sku!, quantity: 3 }])
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        refusalOf(
          ask(order, requestReturnUpdate, {
            returnId: randomUUID(),
            actor: customer,
            lines: [{ sku: sku!, quantity: 1, reason: 'other' }],
            note: null,
          }),
        ),
      ),
    )
    const taken = outcomes.filter((outcome) => outcome === null).length
    expect(taken).toBe(3)
    expect(outcomes.filter((outcome) => outcome === 'more_than_delivered')).toHaveLength(17)
    const state = await afterSalesOf(order.orderId).query(afterSalesQuery)
    expect(state.returns.reduce((sum, ret) => sum + ret.lines[0]!.quantity, 0)).toBe(3)
    console.log(`20 concurrent requests for 3 delivered: ${taken} taken, ${20 - taken} refused more_than_delivered`)
  })
})

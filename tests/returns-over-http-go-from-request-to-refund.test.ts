/**
 * Returns through the API only, as a customer and an admin meet them, on the
 * real stack (API, worker, dev server, Postgres, sandbox payments, the
 * simulated carrier's webhook): a card order delivered, two lines returned,
 * approved, carried, received (one resellable, one not) and refunded by line;
 * the 4xx problems of bad requests; a goodwill refund once the order's
 * workflow has completed; a cash-on-delivery return owed, then settled with
 * `npm run admin`.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { orderWorkflowId } from '../workflows/messages.js'
import { createProducts, shippingAddressInput, stockOf } from './support/fixtures.js'
import { type HttpResult, type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settleMs } from './support/patience.js'
import { testPayloadKeysSetting } from './support/services.js'

let stack: HttpStack
let customer: string
let stranger: string
let admin: string
const customerId = `cust_${randomUUID().slice(0, 8)}`

beforeAll(async () => {
  stack = await startHttpStack({ app: { returnWindowMs: 600_000, returnShipDeadlineMs: 600_000 } })
  customer = await stack.token('customer', customerId)
  stranger = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  admin = await stack.token('admin', 'admin_returns')
})
afterAll(() => stack?.close())

/** Polls `path` until `ready` holds. */
async function until(path: string, token: string, ready: (body: HttpResult['body']) => boolean) {
  const deadline = Date.now() + settleMs
  let last: HttpResult | null = null
  while (Date.now() < deadline) {
    last = await stack.call('GET', path, { token })
    if (last.status === 200 && ready(last.body)) return last.body
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${path} never got there; last answer ${last?.status} ${JSON.stringify(last?.body)}`)
}

/** Sends a carrier event for a parcel, signed, as the carrier's webhook would. */
async function carrier(trackingNumber: string, status: string, extra: Record<string, unknown> = {}) {
  const sent = await stack.carrier({
    eventId: randomUUID(),
    trackingNumber,
    status,
    occurredAt: new Date().toISOString(),
    ...extra,
  })
  expect(sent.status, JSON.stringify(sent.body)).toBe(202)
  return sent.body
}

/** An order placed over HTTP, confirmed (COD) and delivered by the carrier: its workflow has completed. */
async function deliveredOrder(lines: { sku: string; quantity: number }[], method: 'card' | 'cod' = 'card') {
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: {
      lines,
      paymentMethod: method,
      ...(method === 'card' ? { paymentToken: 'tok_visa' } : {}),
      shippingAddress: shippingAddressInput,
    },
  })
  expect(placed.status, JSON.stringify(placed.body)).toBe(201)
  const orderId = placed.body.id as string
  if (method === 'cod') {
    await waitForHttpOrder(stack, admin, orderId, (order) => order.status === 'AWAITING_CONFIRMATION')
    expect((await stack.call('POST', `/v1/orders/${orderId}/cod-confirmation`, { token: admin })).status).toBe(200)
  }
  const labelled = await waitForHttpOrder(stack, customer, orderId, (order) => order.shipment !== null)
  await carrier(labelled.shipment.trackingNumber, 'PICKED_UP')
  await carrier(labelled.shipment.trackingNumber, 'DELIVERED', method === 'cod' ? { amountCollected: labelled.totals.total } : {})
  const delivered = await waitForHttpOrder(stack, customer, orderId, (order) => order.status === 'DELIVERED')
  const handle = stack.services.client.workflow.getHandle(orderWorkflowId(orderId))
  await expect.poll(async () => (await handle.describe()).status.name, { timeout: settleMs }).toBe('COMPLETED')
  return delivered
}

function askReturn(orderId: string, body: unknown, options: { token?: string; key?: string | null } = {}) {
  return stack.call('POST', `/v1/orders/${orderId}/returns`, {
    token: options.token ?? customer,
    headers: options.key === null ? {} : { 'Idempotency-Key': options.key ?? randomUUID() },
    body,
  })
}

/** Runs `npm run admin -- …` against the run's Temporal. */
function adminCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'cli/admin.ts', ...args, '--admin', 'admin_returns'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_PAYLOAD_KEYS: testPayloadKeysSetting,
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A metric's value on /metrics. */
async function metric(line: string): Promise<number> {
  const text = await (await fetch(`${stack.baseUrl}/metrics`)).text()
  const found = text.split('\n').find((row) => row.startsWith(`${line} `))
  return Number(found?.split(' ')[1] ?? Number.NaN)
}

describe('returns over HTTP', () => {
  it('go from request to a refund by line, restocking what can be sold again and writing off the rest', async () => {
    const [shirt, mug] = await createProducts(stack.services.db, [
      { onHand: 5, unitPrice: 2_500 },
      { onHand: 5, unitPrice: 1_200 },
    ])
    const order = await deliveredOrder([
      { sku: shirt!, quantity: 2 },
      { sku: mug!, quantity: 1 },
    ])
    const stockBefore = { shirt: await stockOf(stack.services.db, shirt!), mug: await stockOf(stack.services.db, mug!) }
    const writtenOffBefore = await metric('return_items_written_off_total')

    // Asked wrongly: every answer is a problem naming what is wrong.
    const keyless = await askReturn(order.id, { lines: [{ sku: shirt, quantity: 1, reason: 'damaged' }] }, { key: null })
    expect([keyless.status, keyless.body.errors?.[0]?.field]).toEqual([400, 'idempotency-key'])
    const badReason = await askReturn(order.id, { lines: [{ sku: shirt, quantity: 1, reason: 'bored' }] })
    expect([badReason.status, badReason.body.errors?.[0]?.field]).toEqual([400, 'lines.0.reason'])
    const tooMany = await askReturn(order.id, { lines: [{ sku: shirt, quantity: 3, reason: 'damaged' }] })
    expect([tooMany.status, tooMany.body.reason]).toEqual([409, 'more_than_delivered'])
    const notYours = await askReturn(order.id, { lines: [{ sku: shirt, quantity: 1, reason: 'damaged' }] }, { token: stranger })
    expect(notYours.status).toBe(404)

    const key = randomUUID()
    const body = {
      lines: [
        { sku: shirt, quantity: 1, reason: 'damaged' },
        { sku: mug, quantity: 1, reason: 'no_longer_needed' },
      ],
      note: 'The seam split',
    }
    const asked = await askReturn(order.id, body, { key })
    expect(asked.status, JSON.stringify(asked.body)).toBe(201)
    expect(asked.body).toMatchObject({ orderId: order.id, status: 'REQUESTED', reason: 'damaged', refund: null })
    const returnId = asked.body.id as string
    const replayed = await askReturn(order.id, body, { key })
    expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.id]).toEqual([201, 'true', returnId])

    expect((await stack.call('POST', `/v1/returns/${returnId}/approval`, { token: customer })).status).toBe(403)
    const approved = await stack.call('POST', `/v1/returns/${returnId}/approval`, { token: admin, body: { note: 'ok' } })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    expect(approved.body).toMatchObject({ status: 'APPROVED', label: { carrier: 'simcarrier' } })
    const again = await stack.call('POST', `/v1/returns/${returnId}/rejection`, { token: admin })
    expect([again.status, again.body.reason]).toEqual([409, 'not_requested'])

    // The customer hands the parcel over: the carrier's events on the return label reach the order's after-sales.
    const label = approved.body.label.trackingNumber as string
    await until(`/v1/returns/${returnId}`, customer, (ret) => ret.label?.trackingNumber === label)
    const relayed = await carrier(label, 'PICKED_UP')
    expect(relayed).toMatchObject({ status: 'accepted', orderId: order.id, returnId })
    await until(`/v1/returns/${returnId}`, customer, (ret) => ret.status === 'IN_TRANSIT')

    const tooMuch = await stack.call('POST', `/v1/returns/${returnId}/receipt`, {
      token: admin,
      body: { lines: [{ sku: shirt, quantity: 2, resellable: true }] },
    })
    expect([tooMuch.status, tooMuch.body.reason]).toEqual([409, 'received_more_than_returned'])
    const received = await stack.call('POST', `/v1/returns/${returnId}/receipt`, {
      token: admin,
      body: {
        lines: [
          { sku: shirt, quantity: 1, resellable: true },
          { sku: mug, quantity: 1, resellable: false },
        ],
      },
    })
    expect(received.status, JSON.stringify(received.body)).toBe(200)
    // The lines at the price paid, and the shipping: a line came back damaged (the shop's fault).
    const refund = 2_500 + 1_200 + order.totals.shipping
    expect(received.body).toMatchObject({
      status: 'REFUNDED',
      refund: { amount: refund, currency: 'USD', shipping: order.totals.shipping },
      restocked: 1,
      writtenOff: 1,
    })

    const seen = await until(`/v1/orders/${order.id}`, customer, (o) => o.payment.refunded === refund)
    const listed = await stack.call('GET', `/v1/orders/${order.id}/returns`, { token: customer })
    expect(listed.body.data.map((ret: { id: string; status: string }) => [ret.id, ret.status])).toEqual([[returnId, 'REFUNDED']])
    const stockAfter = { shirt: await stockOf(stack.services.db, shirt!), mug: await stockOf(stack.services.db, mug!) }
    expect(stockAfter.shirt.on_hand - stockBefore.shirt.on_hand).toBe(1)
    expect(stockAfter.mug.on_hand - stockBefore.mug.on_hand).toBe(0)
    await expect.poll(() => metric('return_items_written_off_total'), { timeout: settleMs }).toBe(writtenOffBefore + 1)
    expect(await metric('returns_total{reason="damaged",outcome="refunded"}')).toBeGreaterThanOrEqual(1)

    const timeline = await until(`/v1/orders/${order.id}/timeline`, customer, (t) =>
      t.data.some((entry: { type: string }) => entry.type === 'payment_refunded'),
    )
    const afterDelivery = timeline.data
      .slice(timeline.data.findIndex((entry: { details: { status?: string } }) => entry.details.status === 'DELIVERED') + 1)
      .map((entry: { type: string; message: string }) => `${entry.type}: ${entry.message}`)
    console.log(
      [
        `order ${order.id}: total ${order.totals.total} (shipping ${order.totals.shipping}), refunded ${seen.payment.refunded} of ${seen.payment.captured}`,
        `stock: ${shirt} on hand ${stockBefore.shirt.on_hand} -> ${stockAfter.shirt.on_hand}, ${mug} ${stockBefore.mug.on_hand} -> ${stockAfter.mug.on_hand} (written off 1)`,
        'timeline after delivery:',
        ...afterDelivery.map((line: string) => `  ${line}`),
      ].join('\n'),
    )
    expect(stack.contractViolations).toEqual([])
  })

  it('answers 20 concurrent first requests for the same lines with no more returned than delivered', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 5, unitPrice: 900 }])
    const order = await deliveredOrder([{ sku: sku!, quantity: 3 }])
    // 20 requests at once, each for 1 unit, each with its own key: all race to start the one after-sales workflow.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => askReturn(order.id, { lines: [{ sku, quantity: 1, reason: 'other' }] })),
    )
    const statuses = answers.map((answer) => answer.status)
    const refusals = new Set(answers.filter((answer) => answer.status === 409).map((answer) => answer.body.reason))
    console.log(
      `20 concurrent returns of 1 of 3 delivered: ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 409).length} × 409 ${[...refusals].join(',')}`,
    )
    expect(statuses.filter((status) => status === 201)).toHaveLength(3)
    expect(statuses.filter((status) => status === 409)).toHaveLength(17)
    expect([...refusals]).toEqual(['more_than_delivered'])
    const listed = await until(`/v1/orders/${order.id}/returns`, customer, (list) => list.data.length === 3)
    expect(listed.data.reduce((sum: number, ret: { lines: { quantity: number }[] }) => sum + ret.lines[0]!.quantity, 0)).toBe(3)
  })

  it("takes a goodwill refund once the order's workflow has completed, once per key, with the order's 409 reasons", async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 3, unitPrice: 3_000 }])
    const order = await deliveredOrder([{ sku: sku!, quantity: 1 }])
    const key = randomUUID()
    const refund = (amount: number, refundKey = randomUUID()) =>
      stack.call('POST', `/v1/orders/${order.id}/refunds`, {
        token: admin,
        headers: { 'Idempotency-Key': refundKey },
        body: { amount, reason: 'goodwill', note: 'late parcel' },
      })
    const first = await refund(700, key)
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body.payment).toMatchObject({ captured: order.totals.total, refunded: 700 })
    const retried = await refund(700, key)
    expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([200, 'true'])
    const tooMuch = await refund(order.totals.total)
    expect([tooMuch.status, tooMuch.body.reason]).toEqual([409, 'exceeds_refundable'])
    const seen = await until(`/v1/orders/${order.id}`, admin, (o) => o.payment.refunded === 700)
    console.log(
      `goodwill after completion: order ${order.id} captured ${seen.payment.captured}, refunded ${seen.payment.refunded}`,
    )
    expect(stack.contractViolations).toEqual([])
  })

  it('owes a cash-on-delivery customer the refund of a return until an admin settles it with npm run admin', async () => {
    const [sku] = await createProducts(stack.services.db, [{ onHand: 3, unitPrice: 1_800 }])
    const order = await deliveredOrder([{ sku: sku!, quantity: 2 }], 'cod')
    const asked = await askReturn(order.id, { lines: [{ sku, quantity: 1, reason: 'wrong_item' }] })
    expect(asked.status, JSON.stringify(asked.body)).toBe(201)
    const returnId = asked.body.id as string

    // Approved and received by an admin with the CLI: one step, the same update as the API's.
    const approved = await adminCli(['approve-return', order.id, returnId, '--note', 'sorry'])
    expect(approved.code, approved.stderr).toBe(0)
    expect(JSON.parse(approved.stdout)).toMatchObject({ id: returnId, status: 'APPROVED' })
    const received = await stack.call('POST', `/v1/returns/${returnId}/receipt`, {
      token: admin,
      body: { lines: [{ sku, quantity: 1, resellable: true }] },
    })
    expect(received.status, JSON.stringify(received.body)).toBe(200)
    expect(received.body).toMatchObject({ status: 'RECEIVED', refund: { amount: 1_800 + order.totals.shipping } })

    const owed = await until(`/v1/orders/${order.id}/cod-refunds`, customer, (list) => list.data.length === 1)
    expect(owed.data[0]).toMatchObject({ returnId, amount: 1_800 + order.totals.shipping, settledAt: null })
    const refundId = owed.data[0].id as string

    const settled = await adminCli(['settle-cod-refund', order.id, refundId, '--reference', 'SEPA-2026-0042'])
    expect(settled.code, settled.stderr).toBe(0)
    expect(JSON.parse(settled.stdout)).toMatchObject({ id: refundId, reference: 'SEPA-2026-0042' })
    const twice = await stack.call('POST', `/v1/orders/${order.id}/cod-refunds/${refundId}/settlement`, {
      token: admin,
      body: { reference: 'SEPA-2026-0043' },
    })
    // The update id is the refund's: the same settlement answers again, with the first reference.
    expect([twice.status, twice.body.reference]).toEqual([200, 'SEPA-2026-0042'])
    const done = await until(`/v1/orders/${order.id}/cod-refunds`, admin, (list) => list.data[0]?.settledAt !== null)
    await until(`/v1/returns/${returnId}`, customer, (ret) => ret.status === 'REFUNDED')
    console.log(
      `COD return ${returnId}: owed ${done.data[0].amount} ${done.data[0].currency} since ${done.data[0].owedSince}, settled ${done.data[0].settledAt} by ${done.data[0].settledBy} (${done.data[0].reference})`,
    )
    expect(stack.contractViolations).toEqual([])
  })
})

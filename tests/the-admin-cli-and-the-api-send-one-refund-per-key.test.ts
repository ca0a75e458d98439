import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { orderWorkflowId } from '../workflows/messages.js'
import type { orderWorkflow } from '../workflows/index.js'
import { createProducts, paymentsOf, shippingAddressInput, waitForOrder } from './support/fixtures.js'
import { type HttpStack, startHttpStack } from './support/http-stack.js'
import { testPayloadKeysSetting } from './support/services.js'

let stack: HttpStack
let customer: string
let admin: string
const adminId = `admin_${randomUUID().slice(0, 8)}`

beforeAll(async () => {
  stack = await startHttpStack()
  customer = await stack.token('customer', `cust_${randomUUID().slice(0, 8)}`)
  admin = await stack.token('admin', adminId)
})
afterAll(() => stack?.close())

/** Runs `npm run admin -- …` against the run's Temporal; resolves with its exit code and output. */
function admin_cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'cli/admin.ts', ...args, '--admin', adminId], {
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

/** A sandbox card order whose parcel the carrier has (so its payment is captured). */
async function shippedCardOrder() {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 2, unitPrice: 2_000 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: {
      lines: [{ sku, quantity: 1 }],
      paymentMethod: 'card',
      paymentToken: 'tok_visa',
      shippingAddress: shippingAddressInput,
    },
  })
  expect(placed.status, JSON.stringify(placed.body)).toBe(201)
  const orderId = placed.body.id as string
  const handle = stack.services.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId))
  const labelled = await waitForOrder(handle, (order) => order.shipment !== null)
  const pickup = { eventId: randomUUID(), trackingNumber: labelled.shipment!.trackingNumber, status: 'PICKED_UP' }
  expect((await stack.carrier({ ...pickup, occurredAt: new Date().toISOString() })).status).toBe(202)
  await waitForOrder(handle, (order) => order.status === 'SHIPPED')
  return orderId
}

describe('npm run admin and the API', () => {
  it('refund once for one admin and one key, whichever of them is asked first, and the CLI reads the order’s refusals', async () => {
    const orderId = await shippedCardOrder()
    const key = randomUUID()
    const viaApi = await stack.call('POST', `/v1/orders/${orderId}/refunds`, {
      token: admin,
      headers: { 'Idempotency-Key': key },
      body: { amount: 500, reason: 'goodwill' },
    })
    expect(viaApi.status, JSON.stringify(viaApi.body)).toBe(200)
    expect(viaApi.body.payment).toMatchObject({ refunded: 500 })

    // The same admin retries from the CLI with the API request's key: the same update id, so no second refund.
    const viaCli = await admin_cli(['refund', orderId, '--amount', '500', '--reason', 'goodwill', '--key', key])
    console.log(`cli refund with the API's key: exit ${viaCli.code}, ${viaCli.stderr.trim().split('\n')[0]}`)
    expect(viaCli.code, viaCli.stderr).toBe(0)
    expect(JSON.parse(viaCli.stdout)).toMatchObject({ payment: { refunded: 500 } })
    expect((await paymentsOf(stack.services.db, orderId)).map((row) => row.refunded_amount)).toEqual([500])
    const refundRequests = await stack.services.db
      .selectFrom('sandbox_payment_requests')
      .select('idempotency_key')
      .where('idempotency_key', 'like', `order-${orderId}-refund%`)
      .execute()
    expect(refundRequests.map((row) => row.idempotency_key)).toEqual([`order-${orderId}-refund`])

    // A cancellation after pickup is refused by the order; the CLI names the reason the API answers with.
    const cancelled = await admin_cli(['cancel', orderId, '--reason', 'too late'])
    const viaApiCancel = await stack.call('POST', `/v1/orders/${orderId}/cancellation`, {
      token: admin,
      body: { reason: 'too late' },
    })
    const said = cancelled.stderr.trim().split('\n')
    console.log(`cli cancel after pickup: exit ${cancelled.code}, ${said.at(-1)}; API: ${viaApiCancel.body.reason}`)
    expect([cancelled.code, said.at(-1)]).toEqual([1, `refused: ${viaApiCancel.body.reason}`])
    // Before acting, it says which Temporal it talks to and which order (npm's banner shows the id as ***).
    expect(said.slice(0, -1)).toEqual([
      `Temporal ${inject('temporalAddress')}, namespace default (TEMPORAL_ADDRESS)`,
      `cancel order ${orderId}`,
    ])
    expect([viaApiCancel.status, viaApiCancel.body.reason]).toEqual([409, 'already_shipped'])
  }, 120_000)
})

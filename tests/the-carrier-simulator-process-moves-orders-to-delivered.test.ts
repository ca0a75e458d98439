/**
 * `npm run carrier:simulate`, the simulated carrier as its own process (what
 * docker compose runs beside the API and the worker), takes an order placed
 * over HTTP from CONFIRMED to DELIVERED by posting signed events to the API,
 * as a real carrier would. With the wrong secret its events are refused and
 * the order stays where it was.
 *
 * The simulator moves every parcel in its database, so this file has a
 * database of its own: on the shared one it moved other files' orders along
 * while they ran (a Stripe order found DELIVERED, a signal to an order the
 * simulator had already delivered).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../config.js'
import { createProducts, shippingAddressInput } from './support/fixtures.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { type HttpStack, carrierSecret, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { settleMs } from './support/patience.js'
import { testPayloadKeysSetting } from './support/services.js'

let database: FreshDatabase
let stack: HttpStack
let customer: string
const simulators: ChildProcess[] = []

beforeAll(async () => {
  database = await createFreshDatabase()
  stack = await startHttpStack({ databaseUrl: database.url })
  customer = await stack.token('customer', `cust_${randomUUID()}`)
}, 120_000)
afterAll(async () => {
  await Promise.all(simulators.map((child) => stopped(child)))
  await stack?.close()
  await database?.drop()
})

/** Starts `npm run carrier:simulate` the way compose does: its own process, the API's URL and secret in the environment. */
function startSimulator(secret: string): { child: ChildProcess; output: () => string } {
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/carrier-simulator.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      CARRIER_SIMULATOR_API_URL: stack.baseUrl,
      CARRIER_WEBHOOK_SECRET: secret,
      JWT_SECRET: 'the-simulator-needs-no-tokens-but-production-wants-one',
      CARRIER_AUTOPILOT_STEP: '300ms',
      // Production wants every setting of the engine, the payload keys too, though the simulator never uses them.
      TEMPORAL_PAYLOAD_KEYS: testPayloadKeysSetting,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  simulators.push(child)
  return { child, output: () => output }
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

async function placeCardOrder(): Promise<string> {
  const [sku] = await createProducts(stack.services.db, [{ onHand: 2, unitPrice: 1_250 }])
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
  expect(placed.status).toBe(201)
  await waitForHttpOrder(stack, customer, placed.body.id, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
  return placed.body.id as string
}

describe('npm run carrier:simulate', () => {
  it('refuses to move parcels with a secret the API does not know, and moves them with the right one', async () => {
    const orderId = await placeCardOrder()

    const wrong = startSimulator('not-the-carrier-secret-of-this-api')
    await expect.poll(wrong.output, { timeout: settleMs, interval: 200 }).toContain('carrier event not delivered')
    await stopped(wrong.child)
    const stuck = await stack.call('GET', `/v1/orders/${orderId}`, { token: customer })
    expect(stuck.body).toMatchObject({ status: 'CONFIRMED', fulfillmentStatus: 'LABEL_CREATED' })

    startSimulator(carrierSecret)
    const delivered = await waitForHttpOrder(stack, customer, orderId, (order) => order.status === 'DELIVERED')
    expect(delivered).toMatchObject({ status: 'DELIVERED', fulfillmentStatus: 'DELIVERED', paymentStatus: 'PAID' })
    const timeline = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token: customer })
    const carrierEntries = timeline.body.data.filter((entry: { type: string }) => entry.type === 'carrier_event')
    const carrierStatuses = carrierEntries.map((entry: { message: string }) => entry.message)
    expect(carrierStatuses).toEqual([
      'Carrier: PICKED_UP',
      'Carrier: IN_TRANSIT',
      'Carrier: OUT_FOR_DELIVERY',
      'Carrier: DELIVERED',
    ])
  })

  it('brings a return parcel back to the warehouse once its return is approved', async () => {
    await Promise.all(simulators.map((child) => stopped(child)))
    const admin = await stack.token('admin', 'admin_simulator')
    const orderId = await placeCardOrder()
    startSimulator(carrierSecret)
    const delivered = await waitForHttpOrder(stack, customer, orderId, (order) => order.status === 'DELIVERED')
    const asked = await stack.call('POST', `/v1/orders/${orderId}/returns`, {
      token: customer,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { lines: [{ sku: delivered.lines[0].sku, quantity: 1, reason: 'no_longer_needed' }] },
    })
    expect(asked.status, JSON.stringify(asked.body)).toBe(201)
    const approved = await stack.call('POST', `/v1/returns/${asked.body.id}/approval`, { token: admin })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)

    const deadline = Date.now() + settleMs
    let entries: { type: string; message: string; details: Record<string, unknown> }[] = []
    while (Date.now() < deadline) {
      const timeline = await stack.call('GET', `/v1/orders/${orderId}/timeline`, { token: customer })
      entries = timeline.body.data.filter((entry: { type: string }) => entry.type === 'return_carrier_event')
      if (entries.some((entry) => entry.details['status'] === 'DELIVERED')) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(entries.map((entry) => entry.message)).toEqual([
      'Return parcel: PICKED_UP',
      'Return parcel: IN_TRANSIT',
      'Return parcel: OUT_FOR_DELIVERY',
      'Return parcel: DELIVERED',
    ])
    const ret = await stack.call('GET', `/v1/returns/${asked.body.id}`, { token: customer })
    expect(ret.body).toMatchObject({ status: 'IN_TRANSIT', label: approved.body.label })
  })
})

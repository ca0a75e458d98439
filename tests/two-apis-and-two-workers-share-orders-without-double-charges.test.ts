import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { signAccessToken } from '../api/auth.js'
import { freePort } from '../dev/free-port.js'
import { orderWorkflowId } from '../workflows/messages.js'
import { createProducts, shippingAddressInput, stockOf } from './support/fixtures.js'
import { settled } from './support/patience.js'
import { type TestServices, connectServices, testPayloadKeysSetting } from './support/services.js'

const jwtSecret = `scale-out-secret-${randomUUID()}`
const taskQueue = `scale-out-${randomUUID()}`
const children: ChildProcess[] = []
let services: TestServices
let apis: string[]

/** `npm run api` / `npm run worker`: the entry point as its own process on the run's Temporal and Postgres. */
function startProcess(entry: 'api/main.ts' | 'workers/main.ts', env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'scale-out-')),
      TEMPORAL_PAYLOAD_KEYS: testPayloadKeysSetting,
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      JWT_SECRET: jwtSecret,
      RATE_LIMIT_PLACE_ORDER: '100000/1m',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  return child
}

async function startWorkerProcess(): Promise<void> {
  const child = startProcess('workers/main.ts', {})
  const lines = createInterface({ input: child.stdout! })
  await Promise.race([
    (async () => {
      for await (const line of lines) if (line.includes('"order worker running"')) return
    })(),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`a worker exited with ${code} before running`))),
  ])
  lines.on('line', () => undefined)
}

async function startApiProcess(): Promise<string> {
  const port = await freePort()
  const child = startProcess('api/main.ts', { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' })
  child.stdout!.resume()
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + settled.timeout
  while ((await fetch(`${url}/ready`).catch(() => null))?.status !== 200) {
    if (child.exitCode !== null) throw new Error(`an API exited with ${child.exitCode} before it was ready`)
    if (Date.now() > deadline) throw new Error(`the API at ${url} never became ready`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return url
}

beforeAll(async () => {
  services = await connectServices()
  ;[, , ...apis] = await Promise.all([startWorkerProcess(), startWorkerProcess(), startApiProcess(), startApiProcess()])
})
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM')
  await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : null)))
  await services?.close()
})

describe('two API processes and two worker processes on one Temporal and one Postgres', () => {
  it('share 30 concurrent orders for 12 units: no double charge, no oversell, no lost notification', async () => {
    const onHand = 12
    const [sku] = await createProducts(services.db, [{ onHand }])
    const placements = Array.from({ length: 30 }, (_, index) => ({ index, key: randomUUID(), subject: `cust_scale_${index}` }))
    const place = async (api: string, placement: (typeof placements)[number]) => {
      const token = await signAccessToken(jwtSecret, { subject: placement.subject, role: 'customer', expiresIn: 3_600 })
      const response = await fetch(`${api}/v1/orders`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': placement.key },
        body: JSON.stringify({
          lines: [{ sku, quantity: 1 }],
          paymentMethod: 'card',
          paymentToken: 'tok_visa',
          currency: 'USD',
          shippingAddress: shippingAddressInput,
        }),
      })
      return { status: response.status, body: (await response.json()) as { id?: string } }
    }
    // Every placement through one API, alternating; every fifth one also retried at once through the other.
    const answers = await Promise.all(
      placements.flatMap((placement) => [
        place(apis[placement.index % 2]!, placement).then((answer) => ({ placement, answer })),
        ...(placement.index % 5 === 0
          ? [place(apis[(placement.index + 1) % 2]!, placement).then((answer) => ({ placement, answer }))]
          : []),
      ]),
    )
    const orderIdOfKey = new Map<string, Set<string>>()
    for (const { placement, answer } of answers) {
      expect([201, 409]).toContain(answer.status)
      if (answer.status === 201)
        orderIdOfKey.set(placement.key, (orderIdOfKey.get(placement.key) ?? new Set()).add(answer.body.id!))
    }
    // Retries that met their first request in flight (409) are sent again, as a client does.
    for (const placement of placements.filter((p) => !orderIdOfKey.has(p.key))) {
      const answer = await place(apis[0]!, placement)
      orderIdOfKey.set(placement.key, new Set([answer.body.id!]))
    }
    expect([...orderIdOfKey.values()].map((ids) => ids.size)).toEqual(placements.map(() => 1))
    const orderIds = [...orderIdOfKey.values()].map((ids) => [...ids][0]!)

    const settledOrders = () =>
      services.db.selectFrom('orders').select(['id', 'status', 'fulfillment_status']).where('id', 'in', orderIds).execute()
    await expect
      .poll(
        async () =>
          (await settledOrders()).filter(
            (order) =>
              order.status === 'CANCELLED' || (order.status === 'CONFIRMED' && order.fulfillment_status === 'LABEL_CREATED'),
          ).length,
        settled,
      )
      .toBe(orderIds.length)
    const orders = await settledOrders()
    const confirmed = orders.filter((order) => order.status === 'CONFIRMED').map((order) => order.id)
    const cancelled = orders.filter((order) => order.status === 'CANCELLED').map((order) => order.id)

    // No oversell: exactly the units there were, each reserved once.
    expect(confirmed).toHaveLength(onHand)
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: onHand, reserved: onHand })
    // No double charge: one authorization per confirmed order, none for the others.
    const payments = await services.db
      .selectFrom('sandbox_payments')
      .select(['order_id', 'status'])
      .where('order_id', 'in', orderIds)
      .execute()
    expect(payments.map((payment) => payment.order_id).sort()).toEqual([...confirmed].sort())
    expect(new Set(payments.map((payment) => payment.status))).toEqual(new Set(['authorized']))
    // No lost or doubled notification (an order out of stock is cancelled before it is placed: one message).
    const expected = new Map([
      ...confirmed.map((id) => [id, 'placed,confirmed'] as const),
      ...cancelled.map((id) => [id, 'cancelled'] as const),
    ])
    const notifications = async () => {
      const rows = await services.db
        .selectFrom('notification_outbox')
        .select(['order_id', 'kind'])
        .where('order_id', 'in', orderIds)
        .orderBy('id')
        .execute()
      const kinds = new Map<string, string[]>()
      for (const row of rows) kinds.set(row.order_id, [...(kinds.get(row.order_id) ?? []), row.kind])
      return new Map(orderIds.map((id) => [id, (kinds.get(id) ?? []).join(',')]))
    }
    await expect.poll(notifications, settled).toEqual(expected)

    // Both workers took tasks: the orders' workflow and activity tasks were started by two identities (an order's
    // tasks stay with the worker that first ran it, its sticky queue and eager activities, so orders are the unit).
    const identities = new Set<string>()
    for (const id of orderIds) {
      const history = await services.client.workflow.getHandle(orderWorkflowId(id)).fetchHistory()
      for (const event of history.events ?? []) {
        const identity = event.workflowTaskStartedEventAttributes?.identity ?? event.activityTaskStartedEventAttributes?.identity
        if (identity) identities.add(identity)
      }
    }
    console.log(
      `${orderIds.length} orders through 2 APIs (${answers.length} requests): ${confirmed.length} confirmed, ${cancelled.length} cancelled; ` +
        `${payments.length} authorizations; tasks started by ${[...identities].join(', ')}`,
    )
    expect(identities.size).toBe(2)
  })
})

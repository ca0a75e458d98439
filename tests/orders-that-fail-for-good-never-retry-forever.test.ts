/**
 * Nothing an order accepted can make its workflow retry forever. Here the
 * API is gone around (it refuses such text at the edge): workflows are
 * started straight through the Temporal client with text Postgres cannot
 * store, and carrier events carry it, as a hostile or broken client could.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { sql } from 'kysely'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerOrderMetrics } from '../api/order-metrics.js'
import { cancelOrderUpdate, carrierEventSignal } from '../workflows/messages.js'
import {
  address,
  carrierEvent,
  createProducts,
  notificationsOf,
  paymentsOf,
  reservationsOf,
  startOrder,
  stockOf,
  waitForOrder,
} from './support/fixtures.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { connectServices, logger, type TestServices } from './support/services.js'

/** What the worker logged, one parsed pino line each. */
const logLines: Array<Record<string, unknown>> = []
const captured = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>)
    done()
  },
})

// order_processing_failures_total is global: this file counts in a database of its own.
let database: FreshDatabase
let services: TestServices
beforeAll(async () => {
  database = await createFreshDatabase()
  services = await connectServices({ databaseUrl: database.url })
  await services.startWorker({ logger: pino({ level: 'warn' }, captured) })
})
afterAll(async () => {
  await services?.close()
  await database?.drop()
})

/** The business metrics as `GET /metrics` serves them, read from this file's database. */
async function scrape(): Promise<string> {
  const registry = new Registry()
  registerOrderMetrics({ registry, db: services.db, logger })
  return registry.metrics()
}

async function readModelOf(orderId: string) {
  const row = await services.db
    .selectFrom('orders')
    .select(['status', 'fulfillment_status', 'shipping_address', 'cancellation'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow()
  const timeline = await services.db
    .selectFrom('order_timeline')
    .select(['type', 'actor_type', 'data'])
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .execute()
  return { ...row, timeline }
}

describe('an order holding text Postgres cannot store', () => {
  it('is cancelled with processing_failed when a step refuses it before hand-over: hold voided, stock released, customer told, counted, logged', async () => {
    const hostile = [
      { ...address, name: 'Ada\u0000Lovelace' },
      { ...address, city: 'Lon\ud800don' },
    ]
    const [sku] = await createProducts(services.db, [{ onHand: 2 }])
    const orders = await Promise.all(
      hostile.map((shippingAddress) =>
        startOrder(services, {
          lines: [{ sku: sku!, quantity: 1 }],
          payment: { method: 'card', token: 'tok_visa' },
          shippingAddress,
        }),
      ),
    )

    for (const { orderId, handle } of orders) {
      // The simulated carrier, like a real one, cannot take the address: createShipment fails for good, once.
      const ended = await handle.result()
      expect(ended).toMatchObject({ status: 'CANCELLED', paymentStatus: 'VOIDED', cancellation: { reason: 'processing_failed' } })
      const failed = ended.timeline.find((entry) => entry.type === 'processing_failed')
      expect(failed?.data).toMatchObject({ step: 'createShipment' })

      const stored = await readModelOf(orderId)
      expect(stored.status).toBe('CANCELLED')
      expect(stored.cancellation).toMatchObject({ reason: 'processing_failed', by: { type: 'system' } })
      expect(JSON.stringify(stored.shipping_address)).toContain('\ufffd')
      expect(stored.timeline.map((entry) => entry.type)).toEqual(
        expect.arrayContaining(['processing_failed', 'payment_voided', 'stock_released', 'order_cancelled']),
      )
      expect(await reservationsOf(services.db, orderId)).toEqual([{ sku, quantity: 1, state: 'released' }])
      expect(await paymentsOf(services.db, orderId)).toMatchObject([{ status: 'voided', captured_amount: 0 }])
      expect(await notificationsOf(services.db, orderId)).toEqual(['placed', 'confirmed', 'cancelled'])
      expect(logLines).toContainEqual(
        expect.objectContaining({ level: 50, orderId, step: 'createShipment', sqlState: expect.stringMatching(/^22/) }),
      )
    }
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 2, reserved: 0 })
    const metrics = await scrape()
    console.log(
      metrics.split('\n').filter((line) => /processing_failed|processing_failures_total\{step="createShipment"/.test(line)),
    )
    expect(metrics).toContain('order_processing_failures_total{step="createShipment"} 2')
    expect(metrics).toContain('orders_cancelled_total{reason="processing_failed"} 2')
  })

  it('keeps its read model moving when a carrier event carries such a location, and the customer can still cancel', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const owner = { type: 'customer' as const, id: 'cust_hostile_location' }
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId: owner.id,
    })
    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await handle.signal(carrierEventSignal, { ...carrierEvent(labelled, 'EXCEPTION'), location: 'Lon\u0000don \ud800 depot' })
    await waitForOrder(handle, (order) => order.fulfillmentStatus === 'EXCEPTION')
    await expect.poll(async () => (await readModelOf(orderId)).fulfillment_status, { timeout: 20_000 }).toBe('EXCEPTION')

    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ actor: owner, note: null }] })
    expect(cancelled.status).toBe('CANCELLED')
    await expect.poll(async () => (await readModelOf(orderId)).status, { timeout: 20_000 }).toBe('CANCELLED')
    const stored = await readModelOf(orderId)
    const exception = stored.timeline.find((entry) => entry.type === 'carrier_event')
    expect(exception?.data).toMatchObject({ location: 'Lon\ufffddon \ufffd depot' })
    expect(stored.timeline.some((entry) => entry.type === 'processing_failed')).toBe(false)
  })
})

describe('a bookkeeping write that fails for good', () => {
  it('is flagged for staff and counted, and the order goes on', async () => {
    // A constraint the code does not expect, in real Postgres: the outbox refuses this customer's confirmation notice.
    await sql`
      create function refuse_confirmed_notice() returns trigger language plpgsql as $$
      begin
        if new.customer_id = 'cust_outbox_refuses' and new.kind = 'confirmed' then
          raise exception 'this notice is refused' using errcode = 'check_violation';
        end if;
        return new;
      end $$`.execute(services.db)
    await sql`
      create trigger refuse_confirmed_notice before insert on notification_outbox
      for each row execute function refuse_confirmed_notice()`.execute(services.db)
    const [sku] = await createProducts(services.db, [{ onHand: 1 }])
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId: 'cust_outbox_refuses',
    })

    const labelled = await waitForOrder(handle, (order) => order.fulfillmentStatus === 'LABEL_CREATED')
    await handle.signal(carrierEventSignal, carrierEvent(labelled, 'PICKED_UP'))
    const shipped = await waitForOrder(handle, (order) => order.status === 'SHIPPED')

    expect(shipped.paymentStatus).toBe('PAID')
    expect(shipped.timeline.filter((entry) => entry.type === 'processing_failed').map((entry) => entry.data)).toEqual([
      expect.objectContaining({ step: 'notifyCustomer', sqlState: '23514' }),
    ])
    await expect.poll(() => notificationsOf(services.db, orderId), { timeout: 20_000 }).toEqual(['placed', 'shipped'])
    await expect.poll(async () => (await readModelOf(orderId)).status, { timeout: 20_000 }).toBe('SHIPPED')
    const metrics = await scrape()
    console.log(metrics.split('\n').filter((line) => line.startsWith('order_processing_failures_total{step="notifyCustomer"')))
    expect(metrics).toContain('order_processing_failures_total{step="notifyCustomer"} 1')
    expect(logLines).toContainEqual(expect.objectContaining({ level: 50, orderId, step: 'notifyCustomer' }))
  })
})

describe('a step run as a local activity that fails for good', () => {
  it('cancels the order with processing_failed before anything is charged, counted and logged with its step', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 3 }])
    // A constraint the code does not expect, in real Postgres: this SKU's reservations are refused.
    await sql`
      create function refuse_reservation() returns trigger language plpgsql as $$
      begin
        if new.sku = ${sql.lit(sku!)} then
          raise exception 'this reservation is refused' using errcode = 'check_violation';
        end if;
        return new;
      end $$`.execute(services.db)
    await sql`
      create trigger refuse_reservation before insert on stock_reservations
      for each row execute function refuse_reservation()`.execute(services.db)
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
    })

    const order = await handle.result()
    expect(order).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'processing_failed' } })
    expect(order.timeline.filter((entry) => entry.type === 'processing_failed').map((entry) => entry.data)).toEqual([
      expect.objectContaining({ step: 'reserveStock', sqlState: '23514' }),
    ])
    expect(await paymentsOf(services.db, orderId)).toEqual([])
    expect(await stockOf(services.db, sku!)).toEqual({ on_hand: 3, reserved: 0 })
    await expect.poll(() => notificationsOf(services.db, orderId), { timeout: 20_000 }).toEqual(['cancelled'])
    expect(await scrape()).toContain('order_processing_failures_total{step="reserveStock"} 1')
    expect(logLines).toContainEqual(expect.objectContaining({ level: 50, orderId, step: 'reserveStock' }))
  })
})

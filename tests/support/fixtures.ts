import { randomUUID } from 'node:crypto'
import type { WorkflowHandle } from '@temporalio/client'
import type { Kysely } from 'kysely'
import { priceOrder, startOrderWorkflow } from '../../commerce/place-order.js'
import type { Database } from '../../db/schema.js'
import { orderWorkflowId, statusQuery, updateRefusalOf } from '../../workflows/messages.js'
import type { CarrierEvent, OrderLineRequest, OrderState, PaymentInstruction, ShippingAddress } from '../../domain/order-types.js'
import type { CarrierEventStatus } from '../../domain/vocabulary.js'
import type { orderWorkflow } from '../../workflows/index.js'
import type { TestServices } from './services.js'
import { settleMs } from './patience.js'

export const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Sq',
  line2: null,
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}

/** {@link address} as a client sends it in a placement, optional fields left out. */
export const shippingAddressInput = {
  name: address.name,
  line1: address.line1,
  city: address.city,
  postalCode: address.postalCode,
  country: address.country,
}

/** The store's USD shipping rate (5.99, free from 100.00), unless one is there already. */
export async function ensureShippingRate(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto('shipping_rates')
    .values({ currency: 'USD', flat_amount: 599, free_from_amount: 10_000 })
    .onConflict((oc) => oc.doNothing())
    .execute()
}

/** Adds products with fresh SKUs (so tests never share stock) and returns their SKUs. */
export async function createProducts(
  db: Kysely<Database>,
  products: ReadonlyArray<{ onHand: number; unitPrice?: number }>,
): Promise<string[]> {
  await ensureShippingRate(db)
  const skus: string[] = []
  for (const product of products) {
    const sku = `TEST-${randomUUID().slice(0, 8).toUpperCase()}`
    await db
      .insertInto('products')
      .values({ sku, name: `Test product ${sku}` })
      .execute()
    await db
      .insertInto('product_prices')
      .values({ sku, currency: 'USD', unit_amount: product.unitPrice ?? 1_000 })
      .execute()
    await db.insertInto('stock_levels').values({ sku, on_hand: product.onHand }).execute()
    skus.push(sku)
  }
  return skus
}

export async function stockOf(db: Kysely<Database>, sku: string) {
  return db.selectFrom('stock_levels').select(['on_hand', 'reserved']).where('sku', '=', sku).executeTakeFirstOrThrow()
}

export interface StartOrderOptions {
  lines: OrderLineRequest[]
  payment: PaymentInstruction
  customerId?: string
  codConfirmationTimeoutMs?: number
  paymentActionTimeoutMs?: number
  authorizationValidityMs?: number
  refundWindowMs?: number
  /** {@link address} when omitted. */
  shippingAddress?: ShippingAddress
}

/**
 * Prices lines from the catalog and starts the order's workflow through the
 * placement use case's own steps (`priceOrder`, `startOrderWorkflow`): only
 * the HTTP request, the idempotency key and the payment-provider choice are
 * left out, so a test can name any provider and window.
 */
export async function startOrder(
  services: TestServices,
  options: StartOrderOptions,
): Promise<{ orderId: string; handle: WorkflowHandle<typeof orderWorkflow> }> {
  const orderId = randomUUID()
  const input = await priceOrder(
    services.db,
    {
      codConfirmationTimeoutMs: options.codConfirmationTimeoutMs ?? 60_000,
      paymentActionTimeoutMs: options.paymentActionTimeoutMs,
      authorizationValidityMs: options.authorizationValidityMs,
      refundWindowMs: options.refundWindowMs,
    },
    {
      orderId,
      customerId: options.customerId ?? 'cust_test',
      lines: options.lines,
      currency: 'USD',
      shippingAddress: options.shippingAddress ?? address,
      payment: options.payment,
      placedAt: new Date().toISOString(),
    },
  )
  await startOrderWorkflow({ db: services.db, temporal: services.client, taskQueue: services.taskQueue }, input)
  const handle = services.client.workflow.getHandle<typeof orderWorkflow>(orderWorkflowId(orderId))
  return { orderId, handle }
}

/** Polls the `status` query until `ready` holds, and returns that state. */
export async function waitForOrder(
  handle: WorkflowHandle,
  ready: (order: OrderState) => boolean,
  timeoutMs = settleMs,
): Promise<OrderState> {
  const deadline = Date.now() + timeoutMs
  let last: OrderState | null = null
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery)
    if (ready(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(
    `order never got there; last state: ${JSON.stringify({ status: last?.status, fulfillment: last?.fulfillmentStatus, payment: last?.paymentStatus })}`,
  )
}

let eventCounter = 0

/** A carrier event for the order's parcel. */
export function carrierEvent(order: OrderState, status: CarrierEventStatus, eventId?: string): CarrierEvent {
  if (!order.shipment) throw new Error('the order has no shipment yet')
  eventCounter += 1
  return {
    eventId: eventId ?? `evt-${order.orderId}-${eventCounter}`,
    trackingNumber: order.shipment.trackingNumber,
    status,
    occurredAt: new Date().toISOString(),
    location: null,
  }
}

/** The sandbox's ledger for an order: what was authorized, captured, refunded. */
export async function paymentsOf(db: Kysely<Database>, orderId: string) {
  return db.selectFrom('sandbox_payments').selectAll().where('order_id', '=', orderId).execute()
}

export async function reservationsOf(db: Kysely<Database>, orderId: string) {
  return db
    .selectFrom('stock_reservations')
    .select(['sku', 'quantity', 'state'])
    .where('order_id', '=', orderId)
    .orderBy('sku')
    .execute()
}

export async function notificationsOf(db: Kysely<Database>, orderId: string) {
  const rows = await db.selectFrom('notification_outbox').select('kind').where('order_id', '=', orderId).orderBy('id').execute()
  return rows.map((row) => row.kind)
}

/** The reason an update was refused with, null if it was taken, or the error's text if it failed otherwise. */
export async function refusalOf(attempt: Promise<unknown>): Promise<string | null> {
  try {
    await attempt
    return null
  } catch (error) {
    return updateRefusalOf(error)?.reason ?? String(error)
  }
}

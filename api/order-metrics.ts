/**
 * The business metrics: how many orders were placed, confirmed, cancelled
 * (and why), delivered, whose payment failed, how many wait for an admin to
 * confirm cash on delivery, how many refunds were made (and why), and how
 * many cash-on-delivery collections went wrong, which steps of orders
 * failed for good, how many notification deliveries failed, and returns by
 * reason and outcome with the items written off.
 *
 * Where the numbers come from: orders move in the worker's workflows, not in
 * the API, and any number of workers and API replicas may run. So the
 * counts are not kept in any process's memory (they would split across
 * replicas and reset on restart) but in Postgres: a trigger on the read
 * model's `orders` table counts each status change once, as the read model
 * applies it (migration 003), and the awaiting-confirmation gauge counts a
 * partial index. A scrape reads a few dozen rows however many orders exist.
 * Every replica reports the same, global, numbers: aggregate them with
 * `max without (instance)`, never `sum`.
 */
import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Kysely } from '../db/connection.js'
import { countOrdersAwaitingConfirmation, sumOrderMetricCounts } from '../db/order-metric-counts.js'
import type { Database } from '../db/schema.js'
import { knownNotificationChannels } from '../domain/notifications.js'
import {
  automaticRefundReasons,
  cancellationReasons,
  codCollectionProblems,
  paymentMethods,
  processingSteps,
  refundReasons,
} from '../domain/vocabulary.js'
import { webhookAttemptOutcomes } from '../domain/order-events.js'
import { returnReasons } from '../domain/returns.js'

/** The order counts at one moment. */
export interface OrderCounts {
  placed: Record<string, number>
  confirmed: number
  cancelled: Record<string, number>
  delivered: number
  paymentFailures: number
  awaitingConfirmation: number
  /** Refunds made, by reason (`parcel_returned` for parcels back at the store). */
  refunds: Record<string, number>
  /** Refunds the payment provider refused, by the reason they were asked for; staff settle each. */
  refundFailures: Record<string, number>
  /** Cash-on-delivery problems: `collection_mismatch`, `delivery_failed`. */
  codProblems: Record<string, number>
  /** Steps of orders that failed for good (retrying could not mend them), by step; staff look at each. */
  processingFailures: Record<string, number>
  /** Failed attempts to deliver a customer notification, by channel (each retried with backoff). */
  notificationFailures: Record<string, number>
  /** Webhook delivery attempts, by outcome (`delivered`, `failed`, `refused` by the target rules). */
  webhookDeliveries: Record<string, number>
  /** Webhook endpoints disabled for failing for days; an admin must look at each. */
  webhookEndpointsDisabled: number
  /** Return lines by `<reason>/<outcome>` (requested, approved, rejected, refunded, exchanged, expired). */
  returns: Record<string, number>
  /** Returned units that could not be sold again. */
  returnItemsWrittenOff: number
}

/**
 * Reads the order counts from Postgres: the trigger-kept counters summed
 * over their shards, and the orders awaiting confirmation.
 */
export async function readOrderCounts(db: Kysely<Database>): Promise<OrderCounts> {
  const [counters, awaiting] = await Promise.all([sumOrderMetricCounts(db), countOrdersAwaitingConfirmation(db)])
  const counts: OrderCounts = {
    placed: {},
    confirmed: 0,
    cancelled: {},
    delivered: 0,
    paymentFailures: 0,
    awaitingConfirmation: awaiting,
    refunds: {},
    refundFailures: {},
    codProblems: {},
    processingFailures: {},
    notificationFailures: {},
    webhookDeliveries: {},
    webhookEndpointsDisabled: 0,
    returns: {},
    returnItemsWrittenOff: 0,
  }
  for (const { metric, label, value } of counters) {
    const n = Number(value)
    switch (metric) {
      case 'placed':
        counts.placed[label] = n
        break
      case 'cancelled':
        counts.cancelled[label] = n
        break
      case 'confirmed':
        counts.confirmed = n
        break
      case 'delivered':
        counts.delivered = n
        break
      case 'payment_failed':
        counts.paymentFailures = n
        break
      case 'refund':
        counts.refunds[label] = n
        break
      case 'refund_failed':
        counts.refundFailures[label] = n
        break
      case 'cod_problem':
        counts.codProblems[label] = n
        break
      case 'processing_failed':
        counts.processingFailures[label] = n
        break
      case 'notification_failed':
        counts.notificationFailures[label] = n
        break
      case 'webhook_delivery':
        counts.webhookDeliveries[label] = n
        break
      case 'webhook_endpoint_disabled':
        counts.webhookEndpointsDisabled = n
        break
      case 'return':
        counts.returns[label] = n
        break
      case 'return_written_off':
        counts.returnItemsWrittenOff = n
        break
    }
  }
  return counts
}

// Every known label value is reported, at 0 if need be, so a series exists before its first event.
const refundLabels = [...refundReasons, ...automaticRefundReasons] as const

export interface OrderMetricsOptions {
  registry: Registry
  db: Kysely<Database>
  logger: Logger
}

/**
 * Registers the business metrics on `registry`; each scrape reads
 * {@link readOrderCounts} once.
 * If Postgres does not answer, the series keep their last values and
 * `order_metrics_up` drops to 0, so a counter never appears to reset.
 */
export function registerOrderMetrics(options: OrderMetricsOptions): void {
  const { registry, db, logger } = options
  // One read per scrape: the collectors of a scrape run together and share the read in flight.
  let inFlight: Promise<OrderCounts | null> | null = null
  const read = (): Promise<OrderCounts | null> => {
    inFlight ??= readOrderCounts(db)
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'order metrics could not be read from Postgres')
        return null
      })
      .finally(() => {
        inFlight = null
      })
    return inFlight
  }
  const registers = [registry]

  new Gauge({
    name: 'order_metrics_up',
    help: '1 when the order metrics of this scrape were read from Postgres, 0 when they are stale',
    registers,
    async collect() {
      this.set((await read()) ? 1 : 0)
    },
  })
  /** A counter read from the counts at each scrape. */
  function counted(name: string, help: string, pick: (counts: OrderCounts) => number): Counter {
    return new Counter({
      name,
      help,
      registers,
      async collect() {
        const counts = await read()
        if (!counts) return
        this.reset()
        this.inc(pick(counts))
      },
    })
  }
  /** A counter with one label, read from the counts at each scrape; every `known` value is reported, at 0 if need be. */
  function countedBy(
    name: string,
    help: string,
    label: string,
    known: readonly string[],
    pick: (counts: OrderCounts) => Record<string, number>,
  ): void {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers,
      async collect() {
        const counts = await read()
        if (!counts) return
        this.reset()
        const byValue = pick(counts)
        for (const value of new Set([...known, ...Object.keys(byValue)])) this.inc({ [label]: value }, byValue[value] ?? 0)
      },
    })
  }

  countedBy('orders_placed_total', 'Orders placed, by payment method', 'payment_method', paymentMethods, (c) => c.placed)
  const confirmed = counted(
    'orders_confirmed_total',
    'Orders confirmed: card payment authorized, or cash on delivery confirmed by an admin',
    (c) => c.confirmed,
  )
  countedBy('orders_cancelled_total', 'Orders cancelled, by reason', 'reason', cancellationReasons, (c) => c.cancelled)
  const delivered = counted('orders_delivered_total', 'Orders delivered', (c) => c.delivered)
  const paymentFailures = counted('payment_failures_total', 'Orders whose card payment was declined', (c) => c.paymentFailures)
  countedBy(
    'refunds_total',
    'Refunds made after capture, by reason (parcel_returned, order_cancelled, or the reason an admin gave)',
    'reason',
    refundLabels,
    (c) => c.refunds,
  )
  countedBy(
    'refund_failures_total',
    'Refunds the payment provider refused for good (refunded already from its dashboard, disputed), by reason; staff settle each',
    'reason',
    refundLabels,
    (c) => c.refundFailures,
  )
  countedBy(
    'cod_collection_problems_total',
    'Cash-on-delivery problems: a collected amount that does not match the order, or a delivery that failed',
    'problem',
    codCollectionProblems,
    (c) => c.codProblems,
  )
  countedBy(
    'order_processing_failures_total',
    'Steps of orders that failed for good (Postgres refused the data, an unexpected constraint), by step; ' +
      'before hand-over the order is cancelled (processing_failed), after it the order goes on; staff look at each',
    'step',
    processingSteps,
    (c) => c.processingFailures,
  )
  countedBy(
    'notifications_failed_total',
    'Failed attempts to deliver a customer notification, by channel; each is retried with backoff, and one that ' +
      'keeps failing gets a staff-only entry on its order timeline',
    'channel',
    knownNotificationChannels,
    (c) => c.notificationFailures,
  )
  countedBy(
    'webhook_deliveries_total',
    'Webhook delivery attempts, by outcome: delivered (2xx), failed (another answer, a timeout, a network error), ' +
      'refused (the target is not allowed: a private address after DNS, http in production)',
    'outcome',
    webhookAttemptOutcomes,
    (c) => c.webhookDeliveries,
  )
  counted(
    'webhook_endpoints_disabled_total',
    'Webhook endpoints disabled because every attempt failed for days; GET /v1/webhook-endpoints?status=disabled lists them',
    (c) => c.webhookEndpointsDisabled,
  )
  new Counter({
    name: 'returns_total',
    help:
      'Return lines, by reason and by each outcome their return reached: requested, approved, rejected, refunded, ' +
      'exchanged, expired (approved but never handed to the carrier)',
    labelNames: ['reason', 'outcome'],
    registers,
    async collect() {
      const counts = await read()
      if (!counts) return
      this.reset()
      for (const reason of returnReasons) this.inc({ reason, outcome: 'requested' }, 0)
      for (const [label, n] of Object.entries(counts.returns)) {
        const [reason = '', outcome = ''] = label.split('/')
        this.inc({ reason, outcome }, n)
      }
    },
  })
  counted(
    'return_items_written_off_total',
    'Returned units that arrived not resellable and were written off instead of restocked',
    (c) => c.returnItemsWrittenOff,
  )
  const awaiting = new Gauge({
    name: 'orders_awaiting_confirmation',
    help: 'Cash-on-delivery orders waiting for an admin to confirm them',
    registers,
    async collect() {
      const counts = await read()
      if (counts) this.set(counts.awaitingConfirmation)
    },
  })
  // Series without labels start at 0 in prom-client: hide them until Postgres has said what they are.
  for (const metric of [confirmed, delivered, paymentFailures, awaiting]) metric.remove()
}

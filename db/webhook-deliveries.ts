import { type Kysely, sql } from 'kysely'
import type { OrderEventType, WebhookAttemptOutcome, WebhookDeliveryStatus } from '../domain/order-events.js'
import type { Database } from './schema.js'

export interface OrderEventRecord {
  id: string
  type: OrderEventType
  orderId: string
  occurredAt: Date
  data: Record<string, unknown>
}

/**
 * Records an event once by its id and, in the same transaction, one
 * delivery to each enabled endpoint that wants its type. Returns the
 * deliveries of the event that no run has tried yet (all of them on the
 * first call; after a crash between this and the workflow starts, the same
 * ones again), so the caller starts each one's first run exactly once.
 */
export async function recordOrderEvent(db: Kysely<Database>, event: OrderEventRecord) {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('webhook_events')
      .values({
        id: event.id,
        type: event.type,
        order_id: event.orderId,
        occurred_at: event.occurredAt,
        data: JSON.stringify(event.data),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst()
    if (inserted) {
      await trx
        .insertInto('webhook_deliveries')
        .columns(['event_id', 'endpoint_id'])
        .expression((eb) =>
          eb
            .selectFrom('webhook_endpoints')
            .select([eb.val(event.id).as('event_id'), 'id'])
            .where('status', '=', 'enabled')
            .where(sql<boolean>`event_types @> array[${event.type}]::text[]`),
        )
        .execute()
    }
    const untried = await trx
      .selectFrom('webhook_deliveries')
      .select(['id', 'endpoint_id'])
      .where('event_id', '=', event.id)
      .where('status', '=', 'pending')
      .where('runs', '=', 1)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('webhook_delivery_attempts').select('attempt').whereRef('delivery_id', '=', 'webhook_deliveries.id'),
          ),
        ),
      )
      .execute()
    return {
      recorded: inserted !== undefined,
      untried: untried.map((row) => ({ deliveryId: row.id, endpointId: row.endpoint_id })),
    }
  })
}

/** A delivery with its event, as an attempt sends it; null when the delivery is gone (its endpoint deleted). */
export async function findDeliveryWithEvent(db: Kysely<Database>, deliveryId: string) {
  const row = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .select([
      'd.id',
      'd.endpoint_id',
      'd.status',
      'd.runs',
      'd.run_started_at',
      'e.id as event_id',
      'e.type',
      'e.order_id',
      'e.occurred_at',
      'e.data',
    ])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst()
  if (!row) return null
  return {
    deliveryId: row.id,
    endpointId: row.endpoint_id,
    status: row.status,
    runs: row.runs,
    runStartedAt: row.run_started_at,
    event: { id: row.event_id, type: row.type, orderId: row.order_id, occurredAt: row.occurred_at, data: row.data },
  }
}

/** Appends an attempt, numbered after the delivery's last one (across its runs); returns its number. */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  attempt: {
    deliveryId: string
    run: number
    attemptedAt: Date
    outcome: WebhookAttemptOutcome
    statusCode: number | null
    latencyMs: number
    error: string | null
  },
): Promise<number> {
  const row = await db
    .insertInto('webhook_delivery_attempts')
    .values({
      delivery_id: attempt.deliveryId,
      attempt: sql<number>`coalesce((select max(a.attempt) from webhook_delivery_attempts a where a.delivery_id = ${attempt.deliveryId}), 0) + 1`,
      run: attempt.run,
      attempted_at: attempt.attemptedAt,
      outcome: attempt.outcome,
      status_code: attempt.statusCode,
      latency_ms: attempt.latencyMs,
      error: attempt.error,
    })
    .returning('attempt')
    .executeTakeFirstOrThrow()
  return row.attempt
}

/** Ends the delivery's current run: delivered, or given up on. */
export async function finishDelivery(
  db: Kysely<Database>,
  deliveryId: string,
  run: number,
  status: Exclude<WebhookDeliveryStatus, 'pending'>,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status, finished_at: new Date() })
    .where('id', '=', deliveryId)
    .where('runs', '=', run)
    .execute()
}

/** The delivery of an endpoint, or null. */
export async function findEndpointDelivery(db: Kysely<Database>, endpointId: string, deliveryId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(deliveryId)) return null
  return (
    (await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status', 'runs'])
      .where('id', '=', deliveryId)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst()) ?? null
  )
}

/** Begins run `run` of a delivery that was run `run - 1` times; false when another redelivery got there first. */
export async function beginDeliveryRun(db: Kysely<Database>, deliveryId: string, run: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', runs: run, run_started_at: new Date(), finished_at: null })
    .where('id', '=', deliveryId)
    .where('runs', '=', run - 1)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export interface WebhookDeliveryView {
  id: string
  eventId: string
  eventType: OrderEventType
  orderId: string
  status: WebhookDeliveryStatus
  runs: number
  createdAt: string
  finishedAt: string | null
  attempts: Array<{
    attempt: number
    run: number
    attemptedAt: string
    outcome: WebhookAttemptOutcome
    statusCode: number | null
    latencyMs: number
    error: string | null
  }>
}

/** A page of an endpoint's deliveries, newest first, each with its attempts in order. */
export async function listEndpointDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  options: { limit: number; afterId: string | null },
) {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.status', 'd.runs', 'd.created_at', 'd.finished_at', 'e.id as event_id', 'e.type', 'e.order_id'])
    .where('d.endpoint_id', '=', endpointId)
  if (options.afterId) {
    // Keyset on (created_at, id), read from the row itself: timestamps keep their microseconds.
    query = query.where(
      sql<boolean>`(d.created_at, d.id) < (select created_at, id from webhook_deliveries where id = ${options.afterId})`,
    )
  }
  const rows = await query
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(options.limit + 1)
    .execute()
  const page = rows.slice(0, options.limit)
  const attempts =
    page.length === 0
      ? []
      : await db
          .selectFrom('webhook_delivery_attempts')
          .selectAll()
          .where(
            'delivery_id',
            'in',
            page.map((row) => row.id),
          )
          .orderBy('attempt')
          .execute()
  const deliveries: WebhookDeliveryView[] = page.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    eventType: row.type,
    orderId: row.order_id,
    status: row.status,
    runs: row.runs,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    attempts: attempts
      .filter((attempt) => attempt.delivery_id === row.id)
      .map((attempt) => ({
        attempt: attempt.attempt,
        run: attempt.run,
        attemptedAt: attempt.attempted_at.toISOString(),
        outcome: attempt.outcome,
        statusCode: attempt.status_code,
        latencyMs: attempt.latency_ms,
        error: attempt.error,
      })),
  }))
  const last = page.at(-1)
  return {
    deliveries,
    nextAfterId: rows.length > options.limit && last ? last.id : null,
  }
}

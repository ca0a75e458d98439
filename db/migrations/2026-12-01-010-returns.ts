import { type Kysely, sql } from 'kysely'

/**
 * Returns (RMA), cash-on-delivery refunds owed, and the simulated carrier's
 * return parcels.
 * - `returns`: one row per return an order's after-sales workflow keeps, as
 *   its read model writes it (version guarded, like `orders`). `lines` holds
 *   what was asked back and, once received, what arrived and whether it is
 *   resellable; `exchange` the replacement lines and their parcel, when the
 *   customer asked for goods instead of money. Each milestone has its
 *   timestamp, so the counters (`returns_total{reason,outcome}`) only grow.
 *   Listed by order (`GET /v1/orders/{id}/returns`) and found by the return
 *   parcel's tracking number (the carrier webhook).
 * - `cod_refunds_owed`: money a cash-on-delivery customer is owed (there is
 *   no card to refund): settled by an admin outside the system (a bank
 *   transfer), with who settled it, when, and their reference.
 * - `simulated_return_parcels`: the labels the simulated carrier sold for
 *   returns, one per return, which its autopilot moves to the store.
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('returns')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('order_id', 'uuid', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('lines', 'jsonb', (col) => col.notNull())
    .addColumn('exchange', 'jsonb')
    .addColumn('label_carrier', 'text')
    .addColumn('label_tracking_number', 'text')
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('refund_amount', 'integer')
    .addColumn('items_written_off', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('ship_by', 'timestamptz')
    .addColumn('note', 'text')
    .addColumn('requested_at', 'timestamptz', (col) => col.notNull())
    .addColumn('approved_at', 'timestamptz')
    .addColumn('rejected_at', 'timestamptz')
    .addColumn('received_at', 'timestamptz')
    .addColumn('refunded_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('returns_by_order').on('returns').columns(['order_id', 'requested_at']).execute()
  await db.schema
    .createIndex('returns_by_tracking_number')
    .on('returns')
    .column('label_tracking_number')
    .unique()
    .where(sql.ref('label_tracking_number'), 'is not', null)
    .execute()

  await db.schema
    .createTable('cod_refunds_owed')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'uuid', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('return_id', 'uuid')
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('amount', 'integer', (col) => col.notNull().check(sql`amount > 0`))
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('owed_since', 'timestamptz', (col) => col.notNull())
    .addColumn('settled_at', 'timestamptz')
    .addColumn('settled_by', 'text')
    .addColumn('reference', 'text')
    .execute()
  await db.schema.createIndex('cod_refunds_owed_by_order').on('cod_refunds_owed').column('order_id').execute()
  await db.schema
    .createIndex('cod_refunds_owed_unsettled')
    .on('cod_refunds_owed')
    .column('owed_since')
    .where(sql.ref('settled_at'), 'is', null)
    .execute()

  await db.schema
    .createTable('simulated_return_parcels')
    .addColumn('tracking_number', 'text', (col) => col.primaryKey())
    .addColumn('return_id', 'uuid', (col) => col.notNull().unique())
    .addColumn('order_id', 'uuid', (col) => col.notNull())
    .addColumn('label_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('events_sent', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('next_event_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('simulated_return_parcels').execute()
  await db.schema.dropTable('cod_refunds_owed').execute()
  await db.schema.dropTable('returns').execute()
}

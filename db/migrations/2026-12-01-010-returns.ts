import { type Kysely, sql } from 'kysely'

/**
 * After-sales: returns (RMA), refunds after delivery, and cash-on-delivery
 * refunds owed.
 * - `after_sales`: one row per order whose after-sales workflow has started:
 *   its refunds, what is left to refund, its window, and its `version`,
 *   which guards every after-sales write (a late retry changes nothing and
 *   counts nothing twice). `returns_total{reason,outcome}` and the items
 *   written off are counted in `order_metric_counts` (metrics `return` and
 *   `return_written_off`) by that write.
 * - `returns`: one row per return an order's after-sales workflow keeps, as
 *   its read model writes it (version guarded, like `orders`). `lines` holds
 *   what was asked back, `received` what arrived and whether it is
 *   resellable; `exchange` the replacement lines and their parcel, when the
 *   customer asked for goods instead of money; `timeline` the return's own
 *   entries.
 *   Listed by order (`GET /v1/orders/{id}/returns`) and found by the return
 *   parcel's tracking number (the carrier webhook).
 * - `cod_refunds_owed`: money a cash-on-delivery customer is owed (there is
 *   no card to refund): settled by an admin outside the system (a bank
 *   transfer), with who settled it, when, and their reference; its id is
 *   `cod-refund-<n>` within its order.
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('after_sales')
    .addColumn('order_id', 'uuid', (col) => col.primaryKey().references('orders.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('refunds', 'jsonb', (col) => col.notNull())
    .addColumn('refundable', 'integer', (col) => col.notNull())
    .addColumn('window_ends_at', 'timestamptz')
    .addColumn('closed', 'boolean', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('returns')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('order_id', 'uuid', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('lines', 'jsonb', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('label_carrier', 'text')
    .addColumn('label_tracking_number', 'text')
    .addColumn('ship_by', 'timestamptz')
    .addColumn('received', 'jsonb', (col) => col.notNull())
    .addColumn('refund_amount', 'integer')
    .addColumn('refund_shipping', 'integer')
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('exchange', 'jsonb')
    .addColumn('restocked', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('written_off', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('timeline', 'jsonb', (col) => col.notNull())
    .addColumn('requested_at', 'timestamptz', (col) => col.notNull())
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
    .addColumn('order_id', 'uuid', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('return_id', 'uuid')
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('amount', 'integer', (col) => col.notNull().check(sql`amount > 0`))
    .addColumn('owed_since', 'timestamptz', (col) => col.notNull())
    .addColumn('settled_at', 'timestamptz')
    .addColumn('settled_by', 'text')
    .addColumn('reference', 'text')
    .addPrimaryKeyConstraint('cod_refunds_owed_pk', ['order_id', 'id'])
    .execute()
  await db.schema
    .createIndex('cod_refunds_owed_unsettled')
    .on('cod_refunds_owed')
    .column('owed_since')
    .where(sql.ref('settled_at'), 'is', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cod_refunds_owed').execute()
  await db.schema.dropTable('returns').execute()
  await db.schema.dropTable('after_sales').execute()
}

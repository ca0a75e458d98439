import { type Kysely, sql } from 'kysely'

/** Catalog, stock, the order read model with its timeline, and idempotency records. Frozen: never edit, add a migration. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('sku', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('product_prices')
    .addColumn('sku', 'text', (col) => col.notNull().references('products.sku').onDelete('cascade'))
    .addColumn('currency', sql`char(3)`, (col) => col.notNull())
    .addColumn('unit_amount', 'bigint', (col) => col.notNull().check(sql`unit_amount >= 0`))
    .addPrimaryKeyConstraint('product_prices_pk', ['sku', 'currency'])
    .execute()

  await db.schema
    .createTable('shipping_rates')
    .addColumn('currency', sql`char(3)`, (col) => col.primaryKey())
    .addColumn('flat_amount', 'bigint', (col) => col.notNull().check(sql`flat_amount >= 0`))
    .addColumn('free_from_amount', 'bigint')
    .execute()

  await db.schema
    .createTable('stock_levels')
    .addColumn('sku', 'text', (col) => col.primaryKey().references('products.sku').onDelete('cascade'))
    .addColumn('on_hand', 'integer', (col) => col.notNull().check(sql`on_hand >= 0`))
    .addColumn('reserved', 'integer', (col) =>
      col
        .notNull()
        .defaultTo(0)
        .check(sql`reserved >= 0`),
    )
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('stock_levels_reserved_within_on_hand', sql`reserved <= on_hand`)
    .execute()

  await db.schema
    .createTable('stock_reservations')
    .addColumn('order_id', 'uuid', (col) => col.notNull())
    .addColumn('sku', 'text', (col) => col.notNull().references('products.sku'))
    .addColumn('quantity', 'integer', (col) => col.notNull().check(sql`quantity > 0`))
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('reserved', 'released', 'committed', 'restocked')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stock_reservations_pk', ['order_id', 'sku'])
    .execute()

  await db.schema
    .createTable('orders')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('payment_status', 'text', (col) => col.notNull())
    .addColumn('fulfillment_status', 'text', (col) => col.notNull())
    .addColumn('payment_method', 'text', (col) => col.notNull())
    .addColumn('currency', sql`char(3)`, (col) => col.notNull())
    .addColumn('subtotal', 'bigint', (col) => col.notNull())
    .addColumn('shipping', 'bigint', (col) => col.notNull())
    .addColumn('total', 'bigint', (col) => col.notNull())
    .addColumn('lines', 'jsonb', (col) => col.notNull())
    .addColumn('shipping_address', 'jsonb', (col) => col.notNull())
    .addColumn('payment', 'jsonb', (col) => col.notNull())
    .addColumn('shipment', 'jsonb')
    .addColumn('cancellation', 'jsonb')
    .addColumn('cod_confirmation_deadline', 'timestamptz')
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .execute()
  await sql`create index orders_customer_newest_first on orders (customer_id, created_at desc, id desc)`.execute(db)
  await sql`create index orders_newest_first on orders (created_at desc, id desc)`.execute(db)

  await db.schema
    .createTable('order_timeline')
    .addColumn('order_id', 'uuid', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('actor_type', 'text', (col) => col.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('data', 'jsonb')
    .addPrimaryKeyConstraint('order_timeline_pk', ['order_id', 'seq'])
    .execute()

  await db.schema
    .createTable('shipments')
    .addColumn('tracking_number', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'uuid', (col) => col.notNull().unique())
    .addColumn('carrier', 'text', (col) => col.notNull())
    .addColumn('label_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('notification_outbox')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('order_id', 'uuid', (col) => col.notNull())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('notification_outbox_once_per_kind', ['order_id', 'kind'])
    .execute()

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('principal', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('order_id', 'uuid', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
    .execute()

  await db.schema
    .createTable('sandbox_payments')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'uuid', (col) => col.notNull())
    .addColumn('currency', sql`char(3)`, (col) => col.notNull())
    .addColumn('authorized_amount', 'bigint', (col) => col.notNull())
    .addColumn('captured_amount', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('refunded_amount', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createTable('sandbox_payment_requests')
    .addColumn('idempotency_key', 'text', (col) => col.primaryKey())
    .addColumn('operation', 'text', (col) => col.notNull())
    .addColumn('response', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('simulated_parcels')
    .addColumn('tracking_number', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'uuid', (col) => col.notNull().unique())
    .addColumn('label_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('events_sent', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('next_event_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'simulated_parcels',
    'sandbox_payment_requests',
    'sandbox_payments',
    'idempotency_keys',
    'notification_outbox',
    'shipments',
    'order_timeline',
    'orders',
    'stock_reservations',
    'stock_levels',
    'shipping_rates',
    'product_prices',
    'products',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}

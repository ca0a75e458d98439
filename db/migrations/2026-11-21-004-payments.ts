import { type Kysely, sql } from 'kysely'

/**
 * Payment provider webhooks (every verified event, once, with when it reached
 * its order) and cash-on-delivery collections awaiting settlement.
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_webhook_events')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('order_id', 'uuid', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('reference', 'text', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('relayed_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addPrimaryKeyConstraint('payment_webhook_events_pk', ['provider', 'event_id'])
    .execute()
  await db.schema.createIndex('payment_webhook_events_order').on('payment_webhook_events').column('order_id').execute()

  await db.schema
    .createTable('cod_collections')
    .addColumn('order_id', 'uuid', (col) => col.primaryKey())
    .addColumn('currency', sql`char(3)`, (col) => col.notNull())
    .addColumn('expected_amount', 'bigint', (col) => col.notNull())
    .addColumn('collected_amount', 'bigint')
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome in ('collected', 'mismatch', 'not_reported')`))
    .addColumn('tracking_number', 'text', (col) => col.notNull())
    .addColumn('delivered_at', 'timestamptz', (col) => col.notNull())
    .addColumn('settled_at', 'timestamptz')
    .addColumn('settled_by', 'text')
    .addColumn('settled_amount', 'bigint')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createIndex('cod_collections_unsettled')
    .on('cod_collections')
    .column('delivered_at')
    .where(sql.ref('settled_at'), 'is', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cod_collections').ifExists().execute()
  await db.schema.dropTable('payment_webhook_events').ifExists().execute()
}

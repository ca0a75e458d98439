import { type Kysely, sql } from 'kysely'

/**
 * The read side and catalog administration. Frozen: never edit, add a migration.
 *
 * - Composite indexes so a filtered page of `GET /v1/orders` is one index range
 *   scan in (created_at desc, id desc) order, however many orders there are.
 *   `payment_method` has two values, so it gets no index of its own: the
 *   newest-first index filters it and still stops after one page.
 * - A trigger that announces every new version of an order on the
 *   `order_changes` channel (`{"id": …, "version": …}`), delivered at commit to
 *   every API process listening, whoever wrote the row.
 * - `catalog_audit`: an append-only record of every catalog change.
 * - Idempotency keys: an in-flight lock that expires, keys without an order
 *   (stock adjustments), and an index for the retention cleanup.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index orders_status_newest_first on orders (status, created_at desc, id desc)`.execute(db)
  await sql`create index orders_customer_status_newest_first on orders (customer_id, status, created_at desc, id desc)`.execute(
    db,
  )
  await sql`create index orders_payment_status_newest_first on orders (payment_status, created_at desc, id desc)`.execute(db)
  await sql`create index orders_fulfillment_status_newest_first on orders (fulfillment_status, created_at desc, id desc)`.execute(
    db,
  )

  await sql`
    create function orders_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('order_changes', json_build_object('id', new.id, 'version', new.version)::text);
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger orders_notify_change after insert or update of version on orders
    for each row execute function orders_notify_change()`.execute(db)

  await db.schema
    .createTable('catalog_audit')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('sku', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) =>
      col.notNull().check(sql`action in ('product_created', 'product_updated', 'stock_adjusted')`),
    )
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb', (col) => col.notNull())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index catalog_audit_by_sku on catalog_audit (sku, id desc)`.execute(db)
  await sql`
    create function catalog_audit_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'catalog_audit is append-only';
    end
    $$`.execute(db)
  await sql`
    create trigger catalog_audit_append_only before update or delete on catalog_audit
    for each row execute function catalog_audit_refuse_change()`.execute(db)
  await sql`
    create trigger catalog_audit_no_truncate before truncate on catalog_audit
    for each statement execute function catalog_audit_refuse_change()`.execute(db)

  await db.schema.alterTable('idempotency_keys').addColumn('locked_until', 'timestamptz').execute()
  await sql`update idempotency_keys set locked_until = created_at + interval '60 seconds' where response_body is null`.execute(db)
  await db.schema
    .alterTable('idempotency_keys')
    .alterColumn('order_id', (col) => col.dropNotNull())
    .execute()
  await sql`create index idempotency_keys_by_age on idempotency_keys (created_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists idempotency_keys_by_age`.execute(db)
  await sql`delete from idempotency_keys where order_id is null`.execute(db)
  await db.schema
    .alterTable('idempotency_keys')
    .alterColumn('order_id', (col) => col.setNotNull())
    .execute()
  await db.schema.alterTable('idempotency_keys').dropColumn('locked_until').execute()
  await db.schema.dropTable('catalog_audit').ifExists().execute()
  await sql`drop function if exists catalog_audit_refuse_change()`.execute(db)
  await sql`drop trigger if exists orders_notify_change on orders`.execute(db)
  await sql`drop function if exists orders_notify_change()`.execute(db)
  for (const index of [
    'orders_fulfillment_status_newest_first',
    'orders_payment_status_newest_first',
    'orders_customer_status_newest_first',
    'orders_status_newest_first',
  ]) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db)
  }
}

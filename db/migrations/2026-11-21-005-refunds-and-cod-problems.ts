import { type Kysely, sql } from 'kysely'

/**
 * Partial refunds and the metrics of money problems.
 * - A customer may be told of several refunds of one order: the outbox keeps
 *   one notification per order, kind and occurrence.
 * - Refunds, refunds a provider refused, and cash-on-delivery problems (a
 *   collection that does not match, a delivery that failed with the cash)
 *   are counted as the read model records them in the timeline, in the
 *   sharded counters of migration 003.
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notification_outbox')
    .addColumn('occurrence', 'integer', (col) => col.notNull().defaultTo(1))
    .execute()
  await db.schema.alterTable('notification_outbox').dropConstraint('notification_outbox_once_per_kind').execute()
  await db.schema
    .alterTable('notification_outbox')
    .addUniqueConstraint('notification_outbox_once_per_occurrence', ['order_id', 'kind', 'occurrence'])
    .execute()

  await sql`
    create function order_timeline_count_money_events() returns trigger
    language plpgsql as $$
    declare
      shard smallint := (hashtext(new.order_id::text) & 15)::smallint;
    begin
      if new.type = 'cod_collection_mismatch' then
        perform order_metric_increment('cod_problem', 'collection_mismatch', shard);
      elsif new.type = 'cod_delivery_failed' then
        perform order_metric_increment('cod_problem', 'delivery_failed', shard);
      elsif new.type = 'payment_refunded' then
        perform order_metric_increment('refund', coalesce(new.data->>'reason', 'other'), shard);
      elsif new.type = 'refund_failed' then
        perform order_metric_increment('refund_failed', coalesce(new.data->>'reason', 'other'), shard);
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger order_timeline_count_money_events after insert on order_timeline
    for each row execute function order_timeline_count_money_events()`.execute(db)

  // What happened before this migration, counted once.
  await sql`
    insert into order_metric_counts (metric, label, shard, value)
    select metric, label, 0, count(*) from (
      select 'cod_problem' as metric, 'collection_mismatch' as label from order_timeline where type = 'cod_collection_mismatch'
      union all select 'cod_problem', 'delivery_failed' from order_timeline where type = 'cod_delivery_failed'
      union all select 'refund', coalesce(data->>'reason', 'parcel_returned') from order_timeline where type = 'payment_refunded'
    ) as existing
    group by metric, label
    on conflict (metric, label, shard) do update set value = order_metric_counts.value + excluded.value`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists order_timeline_count_money_events on order_timeline`.execute(db)
  await sql`drop function if exists order_timeline_count_money_events()`.execute(db)
  await sql`delete from order_metric_counts where metric in ('cod_problem', 'refund', 'refund_failed')`.execute(db)
  await db.schema.alterTable('notification_outbox').dropConstraint('notification_outbox_once_per_occurrence').execute()
  await sql`
    delete from notification_outbox a using notification_outbox b
    where a.order_id = b.order_id and a.kind = b.kind and a.occurrence > b.occurrence`.execute(db)
  await db.schema
    .alterTable('notification_outbox')
    .addUniqueConstraint('notification_outbox_once_per_kind', ['order_id', 'kind'])
    .execute()
  await db.schema.alterTable('notification_outbox').dropColumn('occurrence').execute()
}

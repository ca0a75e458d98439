import { type Kysely, sql } from 'kysely'

/**
 * Shared request counts for the API's rate limits, and order counters for
 * the business metrics. Frozen: never edit, add a migration.
 *
 * `order_metric_counts` is kept by a trigger on `orders`: the read model's
 * writes are version-guarded, so each status change of an order is applied
 * exactly once, and the trigger counts it then, in the same transaction.
 * Counts are spread over 16 shards per series so concurrent orders do not
 * queue on one row; readers sum the shards.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create unlogged table api_rate_limits (
      bucket text not null,
      caller text not null,
      window_start timestamptz not null,
      hits integer not null,
      primary key (bucket, caller)
    )`.execute(db)

  await sql`
    create table order_metric_counts (
      metric text not null,
      label text not null,
      shard smallint not null,
      value bigint not null,
      primary key (metric, label, shard)
    )`.execute(db)

  await sql`
    create function order_metric_increment(p_metric text, p_label text, p_shard smallint) returns void
    language sql as $$
      insert into order_metric_counts (metric, label, shard, value) values (p_metric, p_label, p_shard, 1)
      on conflict (metric, label, shard) do update set value = order_metric_counts.value + 1
    $$`.execute(db)

  await sql`
    create function orders_count_transitions() returns trigger
    language plpgsql as $$
    declare
      shard smallint := (hashtext(new.id::text) & 15)::smallint;
      old_status text;
      old_payment_status text;
    begin
      if tg_op = 'UPDATE' then
        old_status := old.status;
        old_payment_status := old.payment_status;
      else
        perform order_metric_increment('placed', new.payment_method, shard);
      end if;
      if new.status is distinct from old_status then
        if new.status = 'CONFIRMED' then
          perform order_metric_increment('confirmed', '', shard);
        elsif new.status = 'DELIVERED' then
          perform order_metric_increment('delivered', '', shard);
        elsif new.status = 'CANCELLED' then
          perform order_metric_increment('cancelled', coalesce(new.cancellation->>'reason', 'unknown'), shard);
        end if;
      end if;
      if new.payment_status = 'FAILED' and old_payment_status is distinct from 'FAILED' then
        perform order_metric_increment('payment_failed', '', shard);
      end if;
      return null;
    end
    $$`.execute(db)

  await sql`
    create trigger orders_count_transitions after insert or update on orders
    for each row execute function orders_count_transitions()`.execute(db)

  // Orders that existed before this migration, counted from where they are now
  // (an order confirmed and then cancelled counts as cancelled only).
  await sql`
    insert into order_metric_counts (metric, label, shard, value)
    select metric, label, 0, count(*) from (
      select 'placed' as metric, payment_method as label from orders
      union all select 'confirmed', '' from orders where status in ('CONFIRMED', 'SHIPPED', 'DELIVERED', 'RETURNED')
      union all select 'delivered', '' from orders where status = 'DELIVERED'
      union all select 'cancelled', coalesce(cancellation->>'reason', 'unknown') from orders where status = 'CANCELLED'
      union all select 'payment_failed', '' from orders where payment_status = 'FAILED'
    ) as existing
    group by metric, label`.execute(db)

  // The awaiting-confirmation gauge counts this small set at every scrape; admins list it too.
  await sql`
    create index orders_awaiting_confirmation on orders (cod_confirmation_deadline)
    where status = 'AWAITING_CONFIRMATION'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists orders_awaiting_confirmation`.execute(db)
  await sql`drop trigger if exists orders_count_transitions on orders`.execute(db)
  await sql`drop function if exists orders_count_transitions()`.execute(db)
  await sql`drop function if exists order_metric_increment(text, text, smallint)`.execute(db)
  await sql`drop table if exists order_metric_counts`.execute(db)
  await sql`drop table if exists api_rate_limits`.execute(db)
}

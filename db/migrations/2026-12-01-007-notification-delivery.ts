import { type Kysely, sql } from 'kysely'

/**
 * Delivering the customer outbox: where each notification went, every
 * attempt, the customer's inbox, and the address mails go to.
 * - `notification_outbox` gains `dispatched_at` (handed to its delivery
 *   workflow; rows written before stay null, so they are delivered too) and
 *   `read_at` (the customer read it in the inbox). Its columns and unique key
 *   are otherwise as they were; `sent_at` now means "every channel done".
 * - `notification_deliveries`: one row per notification and channel, its
 *   state (`pending`, `delivered`, `skipped`, `failed`) and attempts made.
 * - `notification_attempts`: every attempt, started before the send and
 *   finished after it, so an attempt cut short by a crash shows as started.
 *   A failed attempt is counted (`notification_failed` by channel) in the
 *   sharded counters of migration 003.
 * - `orders` gains `contact_email` and `contact_language`, written at placement.
 * - Staff-only timeline entries (a notification that keeps failing) are
 *   written to `order_timeline` with negative `seq` numbers from
 *   `order_timeline_staff_seq`, which never meet the workflow's own 1, 2, 3 …;
 *   customers never see them.
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notification_outbox')
    .addColumn('dispatched_at', 'timestamptz', (col) => col.defaultTo(null))
    .addColumn('read_at', 'timestamptz', (col) => col.defaultTo(null))
    .execute()
  await sql`create index notification_outbox_undispatched on notification_outbox (id) where dispatched_at is null`.execute(db)
  await sql`create index notification_outbox_inbox on notification_outbox (customer_id, id desc)`.execute(db)
  await sql`
    create index notification_outbox_inbox_unread on notification_outbox (customer_id, id desc)
    where read_at is null`.execute(db)

  await sql`
    create table notification_deliveries (
      outbox_id bigint not null references notification_outbox (id) on delete cascade,
      channel text not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'skipped', 'failed')),
      attempts integer not null default 0,
      last_error text,
      flagged_at timestamptz,
      delivered_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (outbox_id, channel)
    )`.execute(db)

  await sql`
    create table notification_attempts (
      id bigserial primary key,
      outbox_id bigint not null references notification_outbox (id) on delete cascade,
      order_id uuid not null,
      channel text not null,
      attempt integer not null,
      outcome text not null default 'started' check (outcome in ('started', 'sent', 'skipped', 'failed')),
      error text,
      started_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db)
  await sql`create index notification_attempts_by_delivery on notification_attempts (outbox_id, channel, id)`.execute(db)

  await db.schema
    .alterTable('orders')
    .addColumn('contact_email', 'text', (col) => col.defaultTo(null))
    .addColumn('contact_language', 'text', (col) => col.defaultTo(null))
    .execute()

  await sql`create sequence order_timeline_staff_seq`.execute(db)

  await sql`
    create function notification_attempts_count_failures() returns trigger
    language plpgsql as $$
    begin
      if new.outcome = 'failed' and old.outcome is distinct from 'failed' then
        perform order_metric_increment('notification_failed', new.channel, (hashtext(new.order_id::text) & 15)::smallint);
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger notification_attempts_count_failures after update of outcome on notification_attempts
    for each row execute function notification_attempts_count_failures()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists notification_attempts_count_failures on notification_attempts`.execute(db)
  await sql`drop function if exists notification_attempts_count_failures()`.execute(db)
  await sql`delete from order_metric_counts where metric = 'notification_failed'`.execute(db)
  await sql`delete from order_timeline where seq < 0`.execute(db)
  await sql`drop sequence if exists order_timeline_staff_seq`.execute(db)
  await db.schema.alterTable('orders').dropColumn('contact_email').dropColumn('contact_language').execute()
  await db.schema.dropTable('notification_attempts').execute()
  await db.schema.dropTable('notification_deliveries').execute()
  await sql`drop index if exists notification_outbox_inbox_unread`.execute(db)
  await sql`drop index if exists notification_outbox_inbox`.execute(db)
  await sql`drop index if exists notification_outbox_undispatched`.execute(db)
  await db.schema.alterTable('notification_outbox').dropColumn('dispatched_at').dropColumn('read_at').execute()
}

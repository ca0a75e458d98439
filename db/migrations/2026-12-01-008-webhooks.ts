import { type Kysely, sql } from 'kysely'

/**
 * Outbound webhooks: the endpoints admins register, the order events
 * published to them, one delivery per event and endpoint, and every attempt.
 * - `webhook_events` holds each event once by its stable id (receivers
 *   dedupe by it); its deliveries are written in the transaction that first
 *   records it, so publishing an event twice fans it out once.
 * - `webhook_delivery_attempts` counts each attempt by outcome, and
 *   `webhook_endpoints` each disabling for failure, in the sharded counters
 *   of migration 003 (`webhook_deliveries_total{outcome}`,
 *   `webhook_endpoints_disabled_total`).
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      url text not null,
      description text not null default '',
      event_types text[] not null,
      status text not null default 'enabled' check (status in ('enabled', 'disabled')),
      disabled_reason text check (disabled_reason in ('admin', 'failing')),
      disabled_at timestamptz,
      secret text not null,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index webhook_endpoints_newest_first on webhook_endpoints (created_at desc, id desc)`.execute(db)

  await sql`
    create table webhook_events (
      id text primary key,
      type text not null,
      order_id text not null,
      occurred_at timestamptz not null,
      data jsonb not null,
      recorded_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      event_id text not null references webhook_events (id),
      endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      runs integer not null default 1,
      run_started_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      finished_at timestamptz,
      unique (endpoint_id, event_id)
    )`.execute(db)
  await sql`create index webhook_deliveries_event on webhook_deliveries (event_id)`.execute(db)
  await sql`create index webhook_deliveries_newest_first on webhook_deliveries (endpoint_id, created_at desc, id desc)`.execute(
    db,
  )

  await sql`
    create table webhook_delivery_attempts (
      delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
      attempt integer not null,
      run integer not null,
      attempted_at timestamptz not null,
      outcome text not null check (outcome in ('delivered', 'failed', 'refused')),
      status_code integer,
      latency_ms integer not null,
      error text,
      primary key (delivery_id, attempt)
    )`.execute(db)

  await sql`
    create function webhook_delivery_attempts_count() returns trigger
    language plpgsql as $$
    begin
      perform order_metric_increment('webhook_delivery', new.outcome, (hashtext(new.delivery_id::text) & 15)::smallint);
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger webhook_delivery_attempts_count after insert on webhook_delivery_attempts
    for each row execute function webhook_delivery_attempts_count()`.execute(db)

  await sql`
    create function webhook_endpoints_count_disabled() returns trigger
    language plpgsql as $$
    begin
      if new.disabled_reason = 'failing' and old.disabled_reason is distinct from 'failing' then
        perform order_metric_increment('webhook_endpoint_disabled', '', (hashtext(new.id::text) & 15)::smallint);
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger webhook_endpoints_count_disabled after update on webhook_endpoints
    for each row execute function webhook_endpoints_count_disabled()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists webhook_delivery_attempts`.execute(db)
  await sql`drop table if exists webhook_deliveries`.execute(db)
  await sql`drop table if exists webhook_events`.execute(db)
  await sql`drop table if exists webhook_endpoints`.execute(db)
  await sql`drop function if exists webhook_delivery_attempts_count()`.execute(db)
  await sql`drop function if exists webhook_endpoints_count_disabled()`.execute(db)
  await sql`delete from order_metric_counts where metric in ('webhook_delivery', 'webhook_endpoint_disabled')`.execute(db)
}

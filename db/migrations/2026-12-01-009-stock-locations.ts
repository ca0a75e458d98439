import { type Kysely, sql } from 'kysely'

/**
 * Stock in several locations, and orders in several parcels.
 * - `stock_locations`: where stock is held (an id, a name, an ISO 3166-1
 *   alpha-2 country). The location `default` holds every unit that existed
 *   before locations did (its country `ZZ`, ISO's user-assigned "unknown",
 *   until an admin sets it); stock written without a location lands there.
 * - `stock_levels` is one row per (sku, location); every existing row moves
 *   to `default` unchanged, so no unit is lost.
 * - `stock_reservations` gain the location the units are held at, the parcel
 *   of the order's fulfilment plan they ship in (null on reservations made
 *   before plans existed: one parcel, as before), and how many units came back
 *   from returns. One row per (order, parcel, sku).
 * - `stock_fulfilment_plans`: the plan each reservation (revision 0) and each
 *   edit (revision n) made, so a retried activity answers the plan it made.
 * - `stock_returns`: the units each return put back on a location's shelf or
 *   wrote off, once per return.
 * - `shipments` may hold several labels of one order (one per parcel).
 * - `orders.shipments`: the order's parcels as its view shows them.
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table stock_locations (
      id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      name text not null,
      country char(2) not null check (country ~ '^[A-Z]{2}$'),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`insert into stock_locations (id, name, country) values ('default', 'Default location', 'ZZ')`.execute(db)

  await sql`alter table stock_levels add column location_id text not null default 'default' references stock_locations (id)`.execute(
    db,
  )
  await sql`alter table stock_levels drop constraint stock_levels_pkey`.execute(db)
  await sql`alter table stock_levels add constraint stock_levels_pkey primary key (sku, location_id)`.execute(db)

  await sql`alter table stock_reservations add column location_id text not null default 'default' references stock_locations (id)`.execute(
    db,
  )
  await sql`alter table stock_reservations add column parcel integer check (parcel >= 1)`.execute(db)
  await sql`alter table stock_reservations add column returned integer not null default 0 check (returned >= 0 and returned <= quantity)`.execute(
    db,
  )
  await sql`alter table stock_reservations drop constraint stock_reservations_pk`.execute(db)
  await sql`create unique index stock_reservations_once_per_parcel on stock_reservations (order_id, coalesce(parcel, 0), sku)`.execute(
    db,
  )

  await sql`
    create table stock_fulfilment_plans (
      order_id uuid not null,
      revision integer not null check (revision >= 0),
      plan jsonb not null,
      created_at timestamptz not null default now(),
      primary key (order_id, revision)
    )`.execute(db)

  await sql`
    create table stock_returns (
      return_id text not null,
      order_id uuid not null,
      sku text not null,
      location_id text not null references stock_locations (id),
      parcel integer,
      quantity integer not null check (quantity > 0),
      resellable boolean not null,
      created_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index stock_returns_by_return on stock_returns (return_id)`.execute(db)
  await sql`
    create table stock_return_receipts (
      return_id text primary key,
      order_id uuid not null,
      restocked integer not null,
      written_off integer not null,
      created_at timestamptz not null default now()
    )`.execute(db)

  await sql`alter table shipments drop constraint shipments_order_id_key`.execute(db)
  await sql`alter table shipments add column parcel integer check (parcel >= 1)`.execute(db)
  await sql`create index shipments_by_order on shipments (order_id)`.execute(db)

  await sql`alter table orders add column shipments jsonb not null default '[]'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table orders drop column shipments`.execute(db)

  await sql`drop index shipments_by_order`.execute(db)
  await sql`alter table shipments drop column parcel`.execute(db)
  await sql`delete from shipments a using shipments b where a.order_id = b.order_id and a.created_at > b.created_at`.execute(db)
  await sql`alter table shipments add constraint shipments_order_id_key unique (order_id)`.execute(db)

  await sql`drop table stock_return_receipts`.execute(db)
  await sql`drop table stock_returns`.execute(db)
  await sql`drop table stock_fulfilment_plans`.execute(db)

  // One row per (order, sku) again: an order's parcels are merged, the quantities summed.
  await sql`drop index stock_reservations_once_per_parcel`.execute(db)
  await sql`
    create temporary table merged_reservations as
    select order_id, sku, sum(quantity)::integer as quantity, min(state) as state, min(created_at) as created_at,
           max(updated_at) as updated_at
    from stock_reservations group by order_id, sku`.execute(db)
  await sql`delete from stock_reservations`.execute(db)
  await sql`alter table stock_reservations drop column returned`.execute(db)
  await sql`alter table stock_reservations drop column parcel`.execute(db)
  await sql`alter table stock_reservations drop column location_id`.execute(db)
  await sql`
    insert into stock_reservations (order_id, sku, quantity, state, created_at, updated_at)
    select order_id, sku, quantity, state, created_at, updated_at from merged_reservations`.execute(db)
  await sql`drop table merged_reservations`.execute(db)
  await sql`alter table stock_reservations add constraint stock_reservations_pk primary key (order_id, sku)`.execute(db)

  // One row per SKU again: every location's stock summed into it.
  await sql`
    create temporary table merged_levels as
    select sku, sum(on_hand)::integer as on_hand, sum(reserved)::integer as reserved, max(updated_at) as updated_at
    from stock_levels group by sku`.execute(db)
  await sql`delete from stock_levels`.execute(db)
  await sql`alter table stock_levels drop constraint stock_levels_pkey`.execute(db)
  await sql`alter table stock_levels drop column location_id`.execute(db)
  await sql`
    insert into stock_levels (sku, on_hand, reserved, updated_at)
    select sku, on_hand, reserved, updated_at from merged_levels`.execute(db)
  await sql`drop table merged_levels`.execute(db)
  await sql`alter table stock_levels add constraint stock_levels_pkey primary key (sku)`.execute(db)

  await sql`drop table stock_locations`.execute(db)
}

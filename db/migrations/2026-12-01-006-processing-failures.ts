import { type Kysely, sql } from 'kysely'

/**
 * Steps that failed for good, counted; and the address on the simulated
 * carrier's labels.
 * - A `processing_failed` timeline entry (a step of an order that retrying
 *   could not mend, flagged for staff) is counted by its `step`, as the read
 *   model records it, in the sharded counters of migration 003.
 * - The simulated carrier keeps the address each label was bought for, as a
 *   real carrier does (`ship_to`; null on labels bought before).
 * Frozen: never edit, add a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('simulated_parcels').addColumn('ship_to', 'jsonb').execute()

  await sql`
    create function order_timeline_count_processing_failures() returns trigger
    language plpgsql as $$
    begin
      if new.type = 'processing_failed' then
        perform order_metric_increment(
          'processing_failed',
          coalesce(new.data->>'step', 'unknown'),
          (hashtext(new.order_id::text) & 15)::smallint
        );
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger order_timeline_count_processing_failures after insert on order_timeline
    for each row execute function order_timeline_count_processing_failures()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists order_timeline_count_processing_failures on order_timeline`.execute(db)
  await sql`drop function if exists order_timeline_count_processing_failures()`.execute(db)
  await sql`delete from order_metric_counts where metric = 'processing_failed'`.execute(db)
  await db.schema.alterTable('simulated_parcels').dropColumn('ship_to').execute()
}

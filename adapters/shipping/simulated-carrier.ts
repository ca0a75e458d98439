import { randomInt } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Carrier } from './carrier.js'

export const SIMULATED_CARRIER = 'simcarrier'

export interface SimulatedCarrierProps {
  db: Kysely<Database>
  /** How long after the label the parcel is picked up, when the autopilot drives it. */
  firstStepMs?: number
}

/**
 * A local carrier: it keeps its parcels in `simulated_parcels`, and its
 * autopilot (see `simulated-carrier-autopilot.ts`) moves them along by posting
 * tracking events to the API, as a real carrier's webhooks would. Like a real
 * carrier it keeps the address it prints on the label, and, like one, it
 * refuses an address it cannot store (Postgres refuses NUL and lone
 * surrogates in jsonb: the order then fails `createShipment` for good).
 */
export function createSimulatedCarrier({ db, firstStepMs = 4_000 }: SimulatedCarrierProps): Carrier {
  return {
    name: SIMULATED_CARRIER,

    async createLabel({ orderId, address }) {
      const trackingNumber = `SIM${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e3)).padStart(3, '0')}`
      await db
        .insertInto('simulated_parcels')
        .values({
          tracking_number: trackingNumber,
          order_id: orderId,
          label_id: `lbl_${trackingNumber.toLowerCase()}`,
          status: 'LABEL_CREATED',
          ship_to: JSON.stringify(address),
          next_event_at: sql`now() + ${`${firstStepMs} milliseconds`}::interval`,
        })
        .onConflict((oc) => oc.column('order_id').doNothing())
        .execute()
      const parcel = await db
        .selectFrom('simulated_parcels')
        .select(['tracking_number', 'label_id'])
        .where('order_id', '=', orderId)
        .executeTakeFirstOrThrow()
      return { carrier: SIMULATED_CARRIER, trackingNumber: parcel.tracking_number, labelId: parcel.label_id }
    },

    async cancelLabel({ orderId }) {
      await db
        .updateTable('simulated_parcels')
        .set({ cancelled_at: sql`coalesce(cancelled_at, now())` })
        .where('order_id', '=', orderId)
        .execute()
    },
  }
}

import { createHash, randomInt } from 'node:crypto'
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

    async createLabel({ orderId, address, parcel = 1 }) {
      // One label per order and parcel: the first parcel keeps the order's id as its key, as labels did before parcels.
      const key = parcel === 1 ? orderId : parcelKey(orderId, parcel)
      const trackingNumber = `SIM${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e3)).padStart(3, '0')}`
      await db
        .insertInto('simulated_parcels')
        .values({
          tracking_number: trackingNumber,
          order_id: key,
          label_id: `lbl_${trackingNumber.toLowerCase()}`,
          status: 'LABEL_CREATED',
          ship_to: JSON.stringify(address),
          next_event_at: sql`now() + ${`${firstStepMs} milliseconds`}::interval`,
        })
        .onConflict((oc) => oc.column('order_id').doNothing())
        .execute()
      const label = await db
        .selectFrom('simulated_parcels')
        .select(['tracking_number', 'label_id'])
        .where('order_id', '=', key)
        .executeTakeFirstOrThrow()
      return { carrier: SIMULATED_CARRIER, trackingNumber: label.tracking_number, labelId: label.label_id }
    },

    async cancelLabel({ trackingNumber }) {
      await db
        .updateTable('simulated_parcels')
        .set({ cancelled_at: sql`coalesce(cancelled_at, now())` })
        .where('tracking_number', '=', trackingNumber)
        .execute()
    },
  }
}

/** The key (a uuid, as the column holds) of a later parcel's label: the same order and parcel, the same key. */
function parcelKey(orderId: string, parcel: number): string {
  const hex = createHash('sha256').update(`${orderId}/parcel-${parcel}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

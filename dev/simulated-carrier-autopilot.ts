import { type Kysely, sql } from 'kysely'
import type { Logger } from 'pino'
import { CARRIER_SIGNATURE_HEADER, signCarrierPayload } from '../api/carrier-signature.js'
import type { Database } from '../db/schema.js'
import type { CarrierEvent } from '../domain/order-types.js'
import type { CarrierEventStatus } from '../domain/vocabulary.js'

/** The journey the simulated carrier takes every parcel on. */
const journey: readonly CarrierEventStatus[] = ['LABEL_CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED']

export interface CarrierAutopilotProps {
  db: Kysely<Database>
  logger: Logger
  /** Time between two events of a parcel. */
  stepMs: number
  /** Delivers an event the way a real carrier would: to the API's webhook. */
  send: (event: Omit<CarrierEvent, 'location'> & { location: string }) => Promise<void>
}

/**
 * Moves the simulated carrier's parcels along their journey, one event per
 * step, by posting to the carrier-events endpoint: the parcels of orders and
 * the return parcels customers send back (their labels are keyed by the
 * return's id), which the API hands to the order's after-sales workflow. A
 * parcel whose label was cancelled is never picked up. Stop it with the
 * returned function.
 */
export function startCarrierAutopilot(props: CarrierAutopilotProps): () => Promise<void> {
  let running = true
  let tick: Promise<void> = Promise.resolve()

  async function advanceDueParcels(): Promise<void> {
    const due = await props.db
      .selectFrom('simulated_parcels')
      .select(['tracking_number', 'status', 'events_sent'])
      .where('cancelled_at', 'is', null)
      .where('status', '!=', 'DELIVERED')
      .where('next_event_at', '<=', sql<Date>`now()`)
      .orderBy('next_event_at')
      .limit(50)
      .execute()
    for (const parcel of due) {
      const next = journey[journey.indexOf(parcel.status as CarrierEventStatus) + 1]
      if (!next) continue
      try {
        await props.send({
          eventId: `${parcel.tracking_number}-${parcel.events_sent + 1}`,
          trackingNumber: parcel.tracking_number,
          status: next,
          occurredAt: new Date().toISOString(),
          location: next === 'DELIVERED' ? 'Front door' : 'Sorting centre',
        })
      } catch (error) {
        props.logger.warn({ err: error, trackingNumber: parcel.tracking_number }, 'carrier event not delivered; will retry')
        continue
      }
      await props.db
        .updateTable('simulated_parcels')
        .set({
          status: next,
          events_sent: parcel.events_sent + 1,
          next_event_at: sql`now() + ${`${props.stepMs} milliseconds`}::interval`,
        })
        .where('tracking_number', '=', parcel.tracking_number)
        .execute()
    }
  }

  const timer = setInterval(
    () => {
      if (!running) return
      tick = tick
        .then(advanceDueParcels)
        .catch((error: unknown) => props.logger.warn({ err: error }, 'carrier autopilot tick failed'))
    },
    Math.min(1_000, props.stepMs),
  )
  return async () => {
    running = false
    clearInterval(timer)
    await tick
  }
}

/**
 * Sends each event as a real carrier would: signed, to the API's carrier-events webhook at `apiUrl`.
 *
 * @example
 * ```ts
 * startCarrierAutopilot({ db, logger, stepMs: 4_000, send: carrierWebhookSender(config.api.publicUrl, secret) })
 * ```
 */
export function carrierWebhookSender(apiUrl: string, webhookSecret: string): CarrierAutopilotProps['send'] {
  return async (event) => {
    const body = JSON.stringify(event)
    const response = await fetch(`${apiUrl}/v1/carrier-events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [CARRIER_SIGNATURE_HEADER]: signCarrierPayload(webhookSecret, body) },
      body,
    })
    if (!response.ok) throw new Error(`carrier-events answered ${response.status}: ${await response.text()}`)
  }
}

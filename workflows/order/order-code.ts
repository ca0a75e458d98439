/**
 * Which of the order workflow's versioned changes an order runs with.
 *
 * Each change that issues other commands than before has a patch id
 * (README, "Versioning the workflow"). An order started on today's code
 * records one marker at its start, {@link TODAYS_ORDERS}, which stands for
 * every change of {@link changesAtStart}: it records none of their markers
 * (each is a `MarkerRecorded` event and an `UpsertWorkflowSearchAttributes`
 * of `TemporalChangeVersion`, 8 events on a card order). An order started
 * before it has no such marker at its start, and asks for each change by its
 * own patch, as it always did.
 */
import { patched } from '@temporalio/workflow'

/** The marker of an order started on the code that has every change of {@link changesAtStart}. */
export const TODAYS_ORDERS = 'orders-since-2026-12-01'

/**
 * The changes an order started with {@link TODAYS_ORDERS} has. Never add to this list: a later change has a patch
 * of its own (and, once there are several, a marker of its own standing for them).
 */
export const changesAtStart = [
  'late-carrier-events-noted',
  'small-history',
  'parcels',
  'order-closes-at-journey-end',
  'one-parcel-in-the-order',
] as const

export type OrderChange = (typeof changesAtStart)[number]

export class OrderCode {
  private readonly startedToday: boolean

  /** Call once, at the start of the run, before any other patch. */
  constructor() {
    this.startedToday = patched(TODAYS_ORDERS)
  }

  /** Whether this order runs with `change`: from its start, or by the change's own patch at this point. */
  has(change: OrderChange): boolean {
    return this.startedToday || patched(change)
  }
}

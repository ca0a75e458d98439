/**
 * An order whose history grows long (a parcel scanned hundreds of times,
 * many messages) continues as new: the next run of the same workflow id
 * starts from what this one carries over (the whole order, its inbox, the
 * refund queue's count, the status published), so the API, the CLI and the
 * Web UI keep finding it under `order-<id>`, and no worker ever replays more
 * than a bounded history.
 *
 * It continues only at a quiet point: after hand-over (nothing left to undo,
 * so no compensation needs carrying), with nothing in the inbox or the refund
 * queue, and every message handler finished, so an update in flight is
 * answered by this run, never dropped.
 */
import { allHandlersFinished, condition, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow'
import { handedOver } from '../../domain/order-rules.js'
import type { OrderState, PlaceOrderInput } from '../../domain/order-types.js'
import type { CarriedInbox } from './order-inbox.js'
import type { CarriedRecord } from './order-record.js'
import type { CarriedFleet } from './parcel-fleet.js'
import type { OrderRun } from './order-run.js'

/** The history length past which an order continues as new, unless its input says otherwise. */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 1_000

/** What a run hands the next one. */
export interface CarriedOverOrder {
  record: CarriedRecord
  inbox: CarriedInbox
  refunds: { requested: number; made: number }
  /** How many runs came before this one. */
  runsBefore: number
  /** The parcel the order follows itself (an order in one parcel on the `one-parcel-in-the-order` code). */
  fleet?: CarriedFleet
}

/** The order workflow's input: an order as placed, and, in a run that continues an earlier one, what it carried over. */
export interface OrderWorkflowInput extends PlaceOrderInput {
  carriedOver?: CarriedOverOrder
  /** The history length past which this order continues as new; {@link CONTINUE_AS_NEW_AFTER_EVENTS} when omitted. */
  continueAsNewAfterEvents?: number
}

/** Whether the history has grown past the order's own threshold or Temporal suggests continuing as new. */
function historyIsLong(input: OrderWorkflowInput): boolean {
  const info = workflowInfo()
  return info.continueAsNewSuggested || info.historyLength >= (input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS)
}

/** Nothing waits to be acted on: no carrier news, no cancellation, no refund, no parcel's report or edit. */
function quiet({ inbox, refunds, parcels }: OrderRun): boolean {
  const parcelNews = parcels !== null && (parcels.reports.length > 0 || inbox.edits.length > 0)
  return inbox.carrierEvents.length === 0 && inbox.cancelRequest === null && refunds.waiting.length === 0 && !parcelNews
}

/**
 * Continues the order as new when its history is long and the order is at a
 * quiet point; otherwise returns and the order goes on in this run. Every
 * write is already saved (each step awaits its own).
 */
export async function continueAsNewIfLong(run: OrderRun, input: OrderWorkflowInput): Promise<void> {
  // An order with a parcel's child never continues as new: the child would be asked to stop with the run it closes.
  if (
    run.parcels?.canContinueAsNew() === false ||
    !run.order.smallHistory ||
    !handedOver(run.order.state) ||
    !quiet(run) ||
    !historyIsLong(input)
  )
    return
  await condition(allHandlersFinished)
  // A message that arrived while the handlers finished is acted on here first.
  if (!quiet(run)) return
  // The search attributes (OrderStatus, CustomerId, …) go with it, so lists and searches keep finding the order.
  const continueOrder = makeContinueAsNewFunc<(input: OrderWorkflowInput) => Promise<OrderState>>({
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  })
  await continueOrder({ ...withoutCarriedOver(input), carriedOver: carry(run, input) })
}

function carry({ order, inbox, refunds, parcels }: OrderRun, input: OrderWorkflowInput): CarriedOverOrder {
  return {
    record: order.carried(),
    inbox: inbox.carried(),
    refunds: { requested: refunds.requested, made: refunds.made },
    runsBefore: (input.carriedOver?.runsBefore ?? 0) + 1,
    ...(parcels ? { fleet: parcels.carried() } : {}),
  }
}

function withoutCarriedOver(input: OrderWorkflowInput): OrderWorkflowInput {
  const { carriedOver: _carriedOver, ...placed } = input
  return placed
}

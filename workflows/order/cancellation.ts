/**
 * A cancellation asked for, and what the order does with it: before
 * hand-over the happy path stops (an {@link OrderCancellation}); once the
 * carrier has the parcel the request is refused as too late, the timeline
 * says so, and the order goes on.
 */
import { cancellationRefusal, handedOver, requestedCancellationReason } from '../../domain/order-rules.js'
import type { Actor } from '../../domain/order-types.js'
import type { CancellationReason } from '../../domain/vocabulary.js'
import type { OrderInbox } from './order-inbox.js'
import type { OrderRun } from './order-run.js'
import { whoCancelledInTemporal } from './operator-cancellation.js'

/** Ends the happy path: the order is to be cancelled, and why. */
export class OrderCancellation extends Error {
  constructor(
    readonly reason: CancellationReason,
    readonly by: Actor,
    readonly note: string | null,
  ) {
    super(reason)
    this.name = 'OrderCancellation'
  }
}

/** Stops the happy path if a cancellation was asked for. */
export function stopIfCancelRequested({ cancelRequest }: OrderInbox): void {
  if (cancelRequest) {
    throw new OrderCancellation(requestedCancellationReason(cancelRequest.actor), cancelRequest.actor, cancelRequest.note)
  }
}

/** Acts on a cancellation asked for: stops the happy path before hand-over, refuses it (too late) after. */
export async function actOnCancelRequest(run: OrderRun): Promise<void> {
  const { input, order, inbox } = run
  const request = inbox.cancelRequest
  if (!request) return
  if (!handedOver(order.state)) stopIfCancelRequested(inbox)
  inbox.cancelRequest = null
  const refused = cancellationRefusal(order.state, request.actor) ?? 'already_shipped'
  inbox.cancelRefused = refused
  const operator = request.actor.type === 'operator' ? await whoCancelledInTemporal(input.orderId) : null
  const message = operator
    ? 'Cancellation requested in Temporal came too late: the carrier has the parcel'
    : `Cancellation refused: ${refused.replaceAll('_', ' ')}`
  order.note(operator?.actor ?? request.actor, 'cancellation_refused', message, {
    reason: refused,
    note: operator ? operator.note : request.note,
  })
  await order.save()
}

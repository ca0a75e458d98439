/**
 * How the happy path ends early, and what the order does then: a business
 * refusal (out of stock, declined, price changed) or a cancellation undoes
 * every step taken; a step that failed for good (`ProcessingFailed`) undoes
 * them before hand-over and is only flagged for staff after it.
 */
import { handedOver } from '../../domain/order-rules.js'
import type { CancellationReason } from '../../domain/vocabulary.js'
import { processingFailureOf } from '../processing-failure.js'
import { businessRefusalOf } from './business-refusal.js'
import { OrderCancellation } from './cancellation.js'
import { whoCancelledInTemporal } from './operator-cancellation.js'
import type { OrderRun } from './order-run.js'
import { SYSTEM, now } from './order-record.js'
import { noteLateCarrierEvents } from './parcel-journey.js'
import { CancellationScope } from '@temporalio/workflow'

/** Maps an activity's business refusal to a cancellation reason. */
const refusalReasons: Record<string, CancellationReason> = {
  OutOfStock: 'out_of_stock',
  PaymentDeclined: 'payment_declined',
  PricingFailed: 'price_changed',
}

/** The happy path ended early: a business refusal, a cancellation, or a step that failed for good. */
export async function leaveHappyPath(run: OrderRun, error: unknown): Promise<void> {
  const { order } = run
  const refusal = businessRefusalOf(error)
  const reason = refusal?.type ? refusalReasons[refusal.type] : undefined
  const failure = processingFailureOf(error)
  if (reason === 'payment_declined') {
    order.state.paymentStatus = 'FAILED'
    order.state.payment.declineCode = typeof refusal?.details?.[0] === 'string' ? refusal.details[0] : null
  }
  if (reason) await cancelOrder(run, new OrderCancellation(reason, SYSTEM, refusal?.message ?? null))
  else if (error instanceof OrderCancellation) await cancelOrder(run, error)
  else if (!failure) throw error
  else {
    order.flagForStaff(failure)
    // After hand-over the order keeps its money and its parcel; before, it is undone.
    if (handedOver(order.state)) await order.save()
    else
      await cancelOrder(
        run,
        new OrderCancellation('processing_failed', SYSTEM, 'The order could not be processed; staff were told'),
      )
  }
}

/** Cancels the order: every step undone in reverse, where a cancellation cannot interrupt it; the customer is told. */
async function cancelOrder(run: OrderRun, cancellation: OrderCancellation): Promise<void> {
  const { input, order, undo } = run
  await CancellationScope.nonCancellable(async () => {
    const { actor: by, note: why } =
      cancellation.by.type === 'operator'
        ? await whoCancelledInTemporal(input.orderId)
        : { actor: cancellation.by, note: cancellation.note }
    await undo.runInReverse(order)
    const { reason } = cancellation
    order.state.cancellation = { reason, by, note: why, at: now() }
    order.note(by, 'order_cancelled', `Order cancelled: ${reason}`, { reason })
    order.moveTo('CANCELLED')
    noteLateCarrierEvents(run)
    await order.save({ kind: 'cancelled', data: { reason } })
  })
}

/**
 * Cash on delivery: an admin confirms the order before it ships, and the
 * carrier collects the money at the door, recorded for the store to settle
 * with the carrier later.
 */
import { condition } from '@temporalio/workflow'
import { codCollectionOutcome } from '../../domain/order-payment.js'
import { stepSummaries, timerSummaries } from '../../domain/order-summaries.js'
import type { Actor, CarrierEvent } from '../../domain/order-types.js'
import { activities } from './activity-proxies.js'
import { OrderCancellation, stopIfCancelRequested } from './cancellation.js'
import type { OrderRun } from './order-run.js'
import { SYSTEM } from './order-record.js'

/** Waits for an admin to confirm the order; nobody in time, or a cancellation, ends the happy path. */
export async function awaitCodConfirmation({ input, order, inbox }: OrderRun): Promise<void> {
  order.state.codConfirmationDeadline = new Date(Date.now() + input.codConfirmationTimeoutMs).toISOString()
  order.moveTo('AWAITING_CONFIRMATION')
  order.note(SYSTEM, 'awaiting_confirmation', 'Cash on delivery: waiting for an admin to confirm', {
    deadline: order.state.codConfirmationDeadline,
  })
  await order.save()
  const answered = await condition(
    () => inbox.codConfirmedBy !== null || inbox.cancelRequest !== null,
    input.codConfirmationTimeoutMs,
    { summary: timerSummaries.codConfirmation(order.state.codConfirmationDeadline) },
  )
  stopIfCancelRequested(inbox)
  if (!answered || !inbox.codConfirmedBy) {
    throw new OrderCancellation('cod_confirmation_expired', SYSTEM, 'Nobody confirmed the order in time')
  }
  order.note(inbox.codConfirmedBy, 'cod_confirmed', 'Cash on delivery confirmed')
}

/**
 * Records what the carrier collected at the door. A carrier that reports
 * another amount, or none, is flagged in the timeline and the collection record.
 */
export async function collectCash({ input, order }: OrderRun, event: CarrierEvent, carrier: Actor): Promise<void> {
  const state = order.state
  const expected = state.totals.total
  const reported = event.amountCollected ?? null
  const outcome = codCollectionOutcome(expected, reported)
  const summary = stepSummaries.recordCodCollection({ amount: expected, currency: state.totals.currency }, reported)
  await order.unlessFailedForGood(() =>
    activities.recordCodCollection.executeWithOptions({ summary }, [
      {
        orderId: input.orderId,
        currency: state.totals.currency,
        expectedAmount: expected,
        collectedAmount: reported,
        outcome,
        trackingNumber: event.trackingNumber,
        deliveredAt: event.occurredAt,
      },
    ]),
  )
  state.payment.captured = reported ?? expected
  state.paymentStatus = 'PAID'
  order.note(carrier, 'cash_collected', 'Cash collected on delivery', {
    amount: reported ?? expected,
    reported: reported !== null,
  })
  if (outcome === 'mismatch') {
    order.note(carrier, 'cod_collection_mismatch', `Cash on delivery: collected ${reported}, expected ${expected}`, {
      expected,
      collected: reported,
    })
  }
}

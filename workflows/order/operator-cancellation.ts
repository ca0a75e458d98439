/**
 * A cancellation asked for in Temporal itself (the Web UI's Request
 * Cancellation, `temporal workflow cancel`, `handle.cancel()`): an operator's
 * cancel request, acted on like a customer's or an admin's. The story runs
 * where such a request cannot cut it short.
 */
import { ActivityFailure, CancellationScope } from '@temporalio/workflow'
import { stepSummaries } from '../../domain/order-summaries.js'
import type { Actor } from '../../domain/order-types.js'
import { lookups } from './activity-proxies.js'
import type { OrderRun } from './order-run.js'

/** Whoever asked Temporal to cancel the workflow, until its history has said who. */
export const OPERATOR: Actor = { type: 'operator', id: null }

/** Turns a Temporal-level cancellation of the workflow into an operator's cancel request. */
export function treatTemporalCancellationAsRequest({ order, inbox }: OrderRun): void {
  void CancellationScope.current().cancelRequested.catch(() => {
    if (order.state.status !== 'CANCELLED') inbox.askToCancel({ actor: OPERATOR, note: null })
  })
}

/** The operator who asked Temporal to cancel, and the reason they gave, read from the workflow's history. */
export async function whoCancelledInTemporal(orderId: string): Promise<{ actor: Actor; note: string | null }> {
  try {
    const summary = stepSummaries.describeCancelRequest()
    const asked = await lookups.describeCancelRequest.executeWithOptions({ summary }, [{ orderId }])
    return { actor: { type: 'operator', id: asked.identity }, note: asked.reason }
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error
    return { actor: OPERATOR, note: null }
  }
}

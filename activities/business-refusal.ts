import { ApplicationFailure } from '@temporalio/common'

/** The business refusals an activity can answer with; the workflow cancels the order on each. */
export type RefusalType = 'OutOfStock' | 'PaymentDeclined' | 'PricingFailed'

/**
 * A refusal that retrying cannot change: a decline, missing stock. Transient
 * faults are plain errors instead, so the activity's retry policy applies.
 */
export function businessRefusal(type: RefusalType, message: string, ...details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, details, nonRetryable: true })
}

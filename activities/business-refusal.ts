import { ApplicationFailure } from '@temporalio/common'

/**
 * The business refusals an activity can answer with. The workflow cancels the
 * order on the first three; a refused refund is flagged for staff instead.
 */
export type RefusalType = 'OutOfStock' | 'PaymentDeclined' | 'PricingFailed' | 'RefundRefused' | 'ReturnExceedsShipped'

/**
 * A refusal that retrying cannot change: a decline, missing stock. Transient
 * faults are plain errors instead, so the activity's retry policy applies.
 */
export function businessRefusal(type: RefusalType, message: string, ...details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, details, nonRetryable: true })
}

import type { ActivityFailure } from '@temporalio/workflow'
import { businessRefusalOf } from './order/business-refusal.js'

/**
 * The `type` of the non-retryable ApplicationFailure an activity fails with
 * when retrying cannot help: Postgres refused the data itself (SQLSTATE class
 * 22, such as text it cannot store) or a constraint the code did not expect
 * (class 23). Its details are `[step, sqlState]`.
 */
export const PROCESSING_FAILED = 'ProcessingFailed'

/** A step of the order that failed for good: the activity's name, and what went wrong. */
export interface ProcessingFailure {
  step: string
  message: string
  sqlState: string | null
}

/**
 * The processing failure behind `error`, if it is one: an activity that
 * failed with {@link PROCESSING_FAILED}.
 *
 * @example
 * ```ts
 * try { await activities.reserveStock(input) } catch (error) { processingFailureOf(error)?.step } // 'reserveStock'
 * ```
 */
export function processingFailureOf(error: unknown): ProcessingFailure | null {
  const failure = businessRefusalOf(error)
  if (failure?.type !== PROCESSING_FAILED) return null
  const [step, sqlState] = failure.details ?? []
  return {
    step: typeof step === 'string' ? step : ((error as ActivityFailure).activityType ?? 'unknown'),
    message: failure.message,
    sqlState: typeof sqlState === 'string' ? sqlState : null,
  }
}

import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow'

/**
 * The business refusal (an activity's non-retryable ApplicationFailure) behind `error`, if it is one: the cause of
 * an ActivityFailure, or, from a local activity (which the SDK rejects with the activity's own failure), the error itself.
 */
export function businessRefusalOf(error: unknown): ApplicationFailure | null {
  if (error instanceof ActivityFailure) return error.cause instanceof ApplicationFailure ? error.cause : null
  return error instanceof ApplicationFailure ? error : null
}

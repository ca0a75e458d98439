import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow'

/** The business refusal (an activity's non-retryable ApplicationFailure) behind `error`, if it is one. */
export function businessRefusalOf(error: unknown): ApplicationFailure | null {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : null
}

import { ApplicationFailure } from '@temporalio/common'
import pg from 'pg'
import type { Logger } from 'pino'
import { PROCESSING_FAILED } from '../workflows/processing-failure.js'

/**
 * Whether retrying cannot make `error` go away: Postgres refused the data
 * itself (SQLSTATE class 22, data exception: text it cannot store, JSON it
 * cannot read) or a constraint the code did not expect (class 23; the
 * constraints the code expects are handled where they are, with
 * `on conflict`). Connection and availability errors (classes 08, 53, 57),
 * serialization failures and deadlocks (40) are retried.
 */
export function failsForGood(error: unknown): error is pg.DatabaseError & { code: string } {
  return error instanceof pg.DatabaseError && typeof error.code === 'string' && /^2[23]/.test(error.code)
}

/** The order an activity's input is about: `orderId`, or the order of a read-model write. */
function orderIdOf(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null
  const record = input as { orderId?: unknown; order?: { orderId?: unknown } }
  const id = record.orderId ?? record.order?.orderId
  return typeof id === 'string' ? id : null
}

/** Logs, as an error staff must look at, a step of an order that failed for good. */
export function logFailedForGood(
  logger: Logger,
  orderId: string | null,
  step: string,
  error: pg.DatabaseError & { code: string },
): void {
  logger.error(
    { orderId, step, sqlState: error.code, err: error },
    `order ${orderId ?? '?'}: step ${step} failed for good (SQLSTATE ${error.code}); not retrying`,
  )
}

type AnyActivity = (input: never) => Promise<unknown>

/**
 * Wraps each activity so a failure that cannot succeed on retry (see
 * {@link failsForGood}) fails it at once, as a non-retryable
 * ApplicationFailure of type `ProcessingFailed` carrying the step (the
 * activity's name) and the SQLSTATE, and is logged as an error with the order
 * id and the step. Every other error is rethrown as it is, so the retry
 * policy applies.
 *
 * @example
 * ```ts
 * const activities = failingForGoodAtOnce({ reserveStock, recordOrder }, logger)
 * ```
 */
export function failingForGoodAtOnce<T extends Record<string, AnyActivity>>(activities: T, logger: Logger): T {
  const wrapped: Record<string, AnyActivity> = {}
  for (const [step, activity] of Object.entries(activities)) {
    wrapped[step] = async (input: never) => {
      try {
        return await activity(input)
      } catch (error) {
        if (!failsForGood(error)) throw error
        const orderId = orderIdOf(input)
        logFailedForGood(logger, orderId, step, error)
        throw ApplicationFailure.create({
          type: PROCESSING_FAILED,
          message: `${step} failed for good: ${error.message}`,
          details: [step, error.code],
          nonRetryable: true,
        })
      }
    }
  }
  return wrapped as T
}

/**
 * Bounds how long the API waits on Temporal. The Temporal client retries an
 * unreachable server for about 20 s, longer than REQUEST_TIMEOUT: without a
 * deadline, an outage would answer 504 (or hold the client) instead of 503.
 */
import { type Client, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client'
import { OrderUpdateTimedOut } from './commerce-errors.js'

/** How long a workflow start, signal or query may take before the API says Temporal is unavailable. */
export const DEFAULT_TEMPORAL_CALL_TIMEOUT_MS = 5_000

/** How long the API waits for an order's workflow to take an update (cancel, confirm, refund). */
export const DEFAULT_TEMPORAL_UPDATE_TIMEOUT_MS = 8_000

/** How long a reachable Temporal takes at most to say it is there (after an update timed out). */
const TEMPORAL_PROBE_TIMEOUT_MS = 2_000

/** The Temporal client, and how long a start, signal or query may take ({@link DEFAULT_TEMPORAL_CALL_TIMEOUT_MS} by default). */
export interface TemporalDeps {
  temporal: Client
  temporalCallTimeoutMs?: number
}

/** {@link TemporalDeps}, and how long an update may take ({@link DEFAULT_TEMPORAL_UPDATE_TIMEOUT_MS} by default). */
export interface TemporalUpdateDeps extends TemporalDeps {
  temporalUpdateTimeoutMs?: number
}

/**
 * Runs a start, signal or query under a deadline. When Temporal does not
 * answer in time the call fails with gRPC `DEADLINE_EXCEEDED`, which the
 * app answers 503 (see `dependency-outage.ts`).
 *
 * @example
 * ```ts
 * await withinTemporalDeadline(deps, () => handle.signal(carrierEventSignal, event))
 * ```
 */
export function withinTemporalDeadline<T>(deps: TemporalDeps, call: () => Promise<T>): Promise<T> {
  const ms = deps.temporalCallTimeoutMs ?? DEFAULT_TEMPORAL_CALL_TIMEOUT_MS
  return deps.temporal.connection.withDeadline(Date.now() + ms, call)
}

/** Asks Temporal for its system info within 2 s: fails (503, Temporal unavailable) when it is not there. */
function probeTemporal(deps: TemporalDeps) {
  return deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_PROBE_TIMEOUT_MS, () =>
    deps.temporal.workflowService.getSystemInfo({}),
  )
}

/**
 * Sends an update under {@link DEFAULT_TEMPORAL_UPDATE_TIMEOUT_MS}. An update
 * waits for the workflow's worker, so a deadline alone cannot tell an
 * unreachable server from a busy worker: Temporal is asked for its system
 * info alongside the update (2 s at most: 503, Temporal unavailable, when it
 * does not answer), so an answered update waits for nothing more, and again
 * if the update times out. If Temporal is there, the order was slow
 * ({@link OrderUpdateTimedOut}, 504), and the update may still apply, so a
 * retry with the same Idempotency-Key is safe.
 */
export async function sendTemporalUpdate<T>(deps: TemporalUpdateDeps, send: () => Promise<T>): Promise<T> {
  const ms = deps.temporalUpdateTimeoutMs ?? DEFAULT_TEMPORAL_UPDATE_TIMEOUT_MS
  const sent = deps.temporal.connection.withDeadline(Date.now() + ms, send)
  const probed = probeTemporal(deps)
  // Whichever settles first decides; the other's outcome is not needed then.
  sent.catch(() => undefined)
  probed.catch(() => undefined)
  try {
    return await Promise.race([sent, probed.then(() => sent)])
  } catch (error) {
    if (!(error instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) throw error
    await probeTemporal(deps)
    throw new OrderUpdateTimedOut(ms)
  }
}

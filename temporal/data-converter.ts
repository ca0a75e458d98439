/**
 * How every process of the engine turns values into Temporal payloads and
 * back. The API, the worker, the admin CLI, scripts and tests all take it from
 * here, so a payload written by one is read by the others.
 */
import type { DataConverter } from '@temporalio/common'

/** The data converter of every client and worker of the engine. */
export function orderEngineDataConverter(): DataConverter {
  return {}
}

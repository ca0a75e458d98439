/** The worker's side of {@link connectTemporal}: the same endpoint and options, over the worker's native connection. */
import { NativeConnection } from '@temporalio/worker'
import { type TemporalEndpoint, connectionOptions } from './client.js'

/** Connects a worker to Temporal now. The caller closes it. */
export async function connectWorkerToTemporal(endpoint: TemporalEndpoint): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(endpoint))
}

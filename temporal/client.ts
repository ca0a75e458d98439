/**
 * The one way the engine's processes reach Temporal as a client: the API, the
 * worker's setup, the admin CLI, scripts and tests connect through here, so
 * the address, the namespace and the data converter are the same everywhere.
 */
import { Client, Connection, type TLSConfig } from '@temporalio/client'
import { orderEngineDataConverter } from './data-converter.js'
import type { PayloadKey } from './payload-encryption.js'

/** Where Temporal is, which namespace the engine uses there, and the keys its payloads are sealed with. */
export interface TemporalEndpoint {
  address: string
  namespace: string
  /** Oldest first; the last seals new payloads (see `PayloadEncryptionCodec`). */
  payloadKeys: readonly PayloadKey[]
}

/** What both kinds of connection take: a client's `Connection` and a worker's `NativeConnection`. */
export interface TemporalConnectionOptions {
  address: string
  tls?: TLSConfig | boolean
  apiKey?: string
  metadata?: Record<string, string>
}

/** The options of a connection to `endpoint`, for a client (`Connection`) or a worker (`NativeConnection`). */
export function connectionOptions(endpoint: TemporalEndpoint): TemporalConnectionOptions {
  return { address: endpoint.address }
}

/** A client on `connection` in the endpoint's namespace, with the engine's data converter. */
export function clientOn(connection: Connection, endpoint: TemporalEndpoint): Client {
  return new Client({ connection, namespace: endpoint.namespace, dataConverter: orderEngineDataConverter(endpoint.payloadKeys) })
}

/** Connects to Temporal now; fails if it cannot be reached. The caller closes `connection`. */
export async function connectTemporal(endpoint: TemporalEndpoint): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect(connectionOptions(endpoint))
  return { connection, client: clientOn(connection, endpoint) }
}

/** A client that connects on its first call, for processes that must start while Temporal is down. */
export function lazyTemporalClient(endpoint: TemporalEndpoint): { connection: Connection; client: Client } {
  const connection = Connection.lazy(connectionOptions(endpoint))
  return { connection, client: clientOn(connection, endpoint) }
}

/**
 * The one way the engine's processes reach Temporal as a client: the API, the
 * worker's setup, the admin CLI, scripts and tests connect through here, so
 * the address, the namespace, TLS, the API key and the data converter are the
 * same everywhere.
 */
import { Client, Connection, type TLSConfig } from '@temporalio/client'
import type { TemporalTlsSettings } from '../config.js'
import { orderEngineDataConverter } from './data-converter.js'
import type { PayloadKey } from './payload-encryption.js'
import { clientMetricsInterceptor } from './sdk-metrics.js'
import { tracingClientInterceptor } from './tracing-interceptors.js'

/**
 * Where Temporal is, which namespace the engine uses there, how it proves who it is, and the keys its payloads are
 * sealed with: `Config.temporal` is one (`{ ...config.temporal, address }`). Without `tls` and `apiKey` the
 * connection is plaintext, as to a dev server.
 */
export interface TemporalEndpoint {
  address: string
  namespace: string
  /** Oldest first; the last seals new payloads (see `PayloadEncryptionCodec`). */
  payloadKeys: readonly PayloadKey[]
  /** TLS, with an mTLS client certificate or not; `null` or absent is plaintext. */
  tls?: TemporalTlsSettings | null
  /** Temporal Cloud's API key, sent as `Authorization: Bearer <key>` on every call. */
  apiKey?: string | null
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
  const tls = endpoint.tls
  return {
    address: endpoint.address,
    // Explicit `false`: the SDK would otherwise turn TLS on by itself for an API key.
    tls: tls
      ? {
          ...(tls.serverCaCertificate ? { serverRootCACertificate: tls.serverCaCertificate } : {}),
          ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
          ...(tls.clientCertificate ? { clientCertPair: tls.clientCertificate } : {}),
        }
      : false,
    ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
  }
}

/** A client on `connection` in the endpoint's namespace, with the engine's data converter. */
export function clientOn(connection: Connection, endpoint: TemporalEndpoint): Client {
  return new Client({
    connection,
    namespace: endpoint.namespace,
    dataConverter: orderEngineDataConverter(endpoint.payloadKeys),
    interceptors: { workflow: [clientMetricsInterceptor(), tracingClientInterceptor()] },
  })
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

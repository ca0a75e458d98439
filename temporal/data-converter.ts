/**
 * How every process of the engine turns values into Temporal payloads and
 * back. The API, the worker, the admin CLI, scripts and tests all take it from
 * here, so a payload written by one is read by the others.
 */
import type { DataConverter } from '@temporalio/common'
import { type PayloadKey, PayloadEncryptionCodec } from './payload-encryption.js'

/**
 * The data converter of every client and worker of the engine: JSON, sealed
 * with AES-256-GCM under the newest of `payloadKeys` (`TEMPORAL_PAYLOAD_KEYS`,
 * or the generated dev key: `Config.temporal.payloadKeys`). Search attributes
 * are not payloads the codec sees: they stay readable, so they hold no personal data.
 */
export function orderEngineDataConverter(payloadKeys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new PayloadEncryptionCodec(payloadKeys)] }
}

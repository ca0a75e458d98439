/** The payload key of the test stack: its clients, workers, codec server and the processes tests start. */
import type { PayloadKey } from '../../temporal/payload-encryption.js'

/**
 * The payload key of every test client and worker: fixed, so that a history recorded in a test
 * (`tests/histories/`) still opens in the replay test of a later run. A test key, never a real one.
 */
export const testPayloadKeys: readonly PayloadKey[] = [
  { id: 'test-2026-12', key: Buffer.from('b3JkZXItZW5naW5lIHRlc3QgcGF5bG9hZCBrZXkgMDE=', 'base64') },
]

/** {@link testPayloadKeys} as `TEMPORAL_PAYLOAD_KEYS`, for the processes a test starts (`npm run admin`). */
export const testPayloadKeysSetting = testPayloadKeys
  .map(({ id, key }) => `${id}:${Buffer.from(key).toString('base64')}`)
  .join(',')

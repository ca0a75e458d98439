/**
 * The payload codec that keeps customer data out of Temporal's hands: every
 * payload a client or worker of the engine writes (workflow input and result,
 * activity input and result, signals, updates, queries, memo, summaries and
 * details) is sealed with AES-256-GCM before it leaves the process, under the
 * newest of the configured keys, whose id is written in the payload's
 * metadata. Reading picks the key by that id, so an old history still opens
 * after a new key is added; a payload that is not encrypted (a history
 * recorded before this codec) passes through as it is.
 *
 * @example
 * ```ts
 * const codec = new PayloadEncryptionCodec([{ id: '2026-12', key: randomBytes(32) }])
 * const [sealed] = await codec.encode([payload])
 * sealed.metadata[KEY_ID_METADATA] // '2026-12' as bytes
 * ```
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common'
import proto from '@temporalio/proto'

/** One AES-256 key and the id payloads name it by. */
export interface PayloadKey {
  /** Written in every payload sealed with the key; never reuse an id for another key. */
  id: string
  /** 32 bytes. */
  key: Uint8Array
}

/** The `encoding` of a sealed payload; its `data` is the IV, the ciphertext of the original payload, and the tag. */
export const ENCRYPTED_ENCODING = 'binary/encrypted'
/** The metadata entry naming the key a payload was sealed with. */
export const KEY_ID_METADATA = 'encryption-key-id'
/** The metadata entry naming the cipher, for whoever reads the history without this code. */
export const CIPHER_METADATA = 'encryption-cipher'
const CIPHER = 'AES-256-GCM'
const IV_BYTES = 12
const TAG_BYTES = 16

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** Thrown when a payload names a key the process does not have, or does not open with it. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PayloadDecryptionError'
  }
}

/**
 * Seals payloads with the last of `keys` and opens them with whichever key
 * their metadata names. List keys oldest first: rotating is adding one at the
 * end, and a key leaves the list only once no open order's history needs it.
 */
export class PayloadEncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Uint8Array>
  private readonly newest: PayloadKey

  constructor(keys: readonly PayloadKey[]) {
    const newest = keys.at(-1)
    if (!newest) throw new Error('the payload codec needs at least one key')
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error(`payload key ${id} has ${key.length} bytes; AES-256 needs 32`)
    }
    if (new Set(keys.map((key) => key.id)).size !== keys.length) throw new Error('payload key ids must be unique')
    this.keys = new Map(keys.map(({ id, key }) => [id, key]))
    this.newest = newest
  }

  /** The id of the key new payloads are sealed with. */
  get encryptingKeyId(): string {
    return this.newest.id
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload))
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.open(payload))
  }

  private seal(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.newest.key, iv)
    cipher.setAAD(utf8.encode(this.newest.id))
    const plain = proto.temporal.api.common.v1.Payload.encode(payload).finish()
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()])
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING),
        [CIPHER_METADATA]: utf8.encode(CIPHER),
        [KEY_ID_METADATA]: utf8.encode(this.newest.id),
      },
      data: sealed,
    }
  }

  private open(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY]
    if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload
    const idBytes = payload.metadata?.[KEY_ID_METADATA]
    const id = idBytes ? fromUtf8.decode(idBytes) : '(none)'
    const key = this.keys.get(id)
    if (!key) {
      throw new PayloadDecryptionError(
        `payload sealed with key ${id}, which is not configured here (configured: ${[...this.keys.keys()].join(', ')})`,
      )
    }
    const data = payload.data ?? new Uint8Array()
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`payload sealed with key ${id} is cut short`)
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES))
    decipher.setAAD(utf8.encode(id))
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
    try {
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()])
      return proto.temporal.api.common.v1.Payload.decode(plain)
    } catch {
      throw new PayloadDecryptionError(`payload sealed with key ${id} does not open with the key configured under that id`)
    }
  }
}

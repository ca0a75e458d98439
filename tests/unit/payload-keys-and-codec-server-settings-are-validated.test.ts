import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.js'

const key = () => randomBytes(32).toString('base64')

describe('TEMPORAL_PAYLOAD_KEYS', () => {
  it('lists keys oldest first, the last one sealing', () => {
    const [first, second] = [key(), key()]
    const keys = loadConfig({ TEMPORAL_PAYLOAD_KEYS: `2026-11:${first}, 2026-12:${second}` }).temporal.payloadKeys
    expect(keys.map((entry) => entry.id)).toEqual(['2026-11', '2026-12'])
    expect(Buffer.from(keys[1]!.key).toString('base64')).toBe(second)
  })

  it('refuses a key that is not 32 bytes, a repeated id, or an empty list, without echoing the secret', () => {
    const short = randomBytes(16).toString('base64')
    const attempt = (value: string) => () => loadConfig({ TEMPORAL_PAYLOAD_KEYS: value })
    expect(attempt(`a:${short}`)).toThrow(/TEMPORAL_PAYLOAD_KEYS: entry 1 is not <id>:<base64 of 32 random bytes>/)
    expect(attempt(`a:${short}`)).not.toThrow(short)
    expect(attempt(`a:${key()},a:${key()}`)).toThrow(/key id a is listed twice/)
    expect(attempt(' , ')).toThrow(/lists no key/)
    expect(attempt(`bad id:${key()}`)).toThrow(ConfigError)
  })

  it('is generated into the data directory outside production, the same on every read', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'payload-key-'))
    const [generated] = loadConfig({ DATA_DIR: dataDir }).temporal.payloadKeys
    expect(generated!.id).toMatch(/^dev-[0-9a-f]{8}$/)
    expect(generated!.key).toHaveLength(32)
    expect(loadConfig({ DATA_DIR: dataDir }).temporal.payloadKeys).toEqual([generated])
    expect(loadConfig({ DATA_DIR: dataDir }).temporal.payloadKeysSource).toBe(join(dataDir, 'temporal-payload-key.secret'))
  })

  it('is required in production, and so is the codec server token where the codec server reads it', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), CARRIER_WEBHOOK_SECRET: 'y'.repeat(16) }
    expect(() => loadConfig(production)).toThrow(/TEMPORAL_PAYLOAD_KEYS: required when NODE_ENV=production/)
    const config = loadConfig({ ...production, TEMPORAL_PAYLOAD_KEYS: `prod-1:${key()}` })
    expect(() => config.codecServer.token).toThrow(/CODEC_SERVER_TOKEN: required when NODE_ENV=production/)
    expect(
      loadConfig({ ...production, TEMPORAL_PAYLOAD_KEYS: `prod-1:${key()}`, CODEC_SERVER_TOKEN: 'z'.repeat(32) }).codecServer
        .token,
    ).toBe('z'.repeat(32))
  })
})

describe('the codec server', () => {
  it("allows only the Temporal Web UI's origin by default, following TEMPORAL_UI_PORT", () => {
    const config = loadConfig({ DATA_DIR: tmpdir(), TEMPORAL_UI_PORT: '9233', CODEC_SERVER_PORT: '9234' })
    expect(config.codecServer.allowedOrigins).toEqual(['http://localhost:9233', 'http://127.0.0.1:9233'])
    expect(config.codecServer.url).toBe('http://localhost:9234')
    expect(() => loadConfig({ CODEC_SERVER_ALLOWED_ORIGINS: '*' })).toThrow(/CODEC_SERVER_ALLOWED_ORIGINS/)
  })
})

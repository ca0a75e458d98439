import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.js'
import { connectionOptions } from '../../temporal/client.js'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tmpdir(), ...env })
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

const scratch = mkdtempSync(join(tmpdir(), 'temporal-settings-'))
const keyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
const keyPath = join(scratch, 'client.key')
writeFileSync(keyPath, keyPem)
// Only the PEM marker is checked without a key to match it against; the handshake tests use real certificates.
const certPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
const certPath = join(scratch, 'client.crt')
writeFileSync(certPath, certPem)

describe('Temporal connection settings', () => {
  it('are plaintext to the address alone, as to a dev server', () => {
    const { temporal } = loadConfig({ DATA_DIR: tmpdir(), TEMPORAL_ADDRESS: '127.0.0.1:7233' })
    expect(temporal).toMatchObject({ tls: null, apiKey: null })
    expect(connectionOptions({ ...temporal, address: '127.0.0.1:7233' })).toEqual({ address: '127.0.0.1:7233', tls: false })
  })

  it('turn TLS on for an API key, with the system CAs, and send the key', () => {
    const { temporal } = loadConfig({
      DATA_DIR: tmpdir(),
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'shop.a1b2c',
      TEMPORAL_API_KEY: 'key-123',
    })
    expect(temporal.tls).toEqual({ serverCaCertificate: null, serverName: null, clientCertificate: null })
    expect(connectionOptions({ ...temporal, address: 'eu-west-1.aws.api.temporal.io:7233' })).toEqual({
      address: 'eu-west-1.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'key-123',
    })
  })

  it('name the missing half of a client certificate and key', () => {
    expect(problemsOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath })).toEqual([
      'TEMPORAL_TLS_CLIENT_KEY_PATH: the client certificate needs its private key (set TEMPORAL_TLS_CLIENT_KEY_PATH or TEMPORAL_TLS_CLIENT_KEY_DATA)',
    ])
    expect(problemsOf({ TEMPORAL_TLS_CLIENT_KEY_DATA: keyPem })).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_PATH: the client key needs its certificate (set TEMPORAL_TLS_CLIENT_CERT_PATH or TEMPORAL_TLS_CLIENT_CERT_DATA)',
    ])
  })

  it('refuse a file that cannot be read, text that is not PEM, and a path and data for one thing', () => {
    expect(problemsOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(scratch, 'missing.crt') })).toEqual([
      `TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read ${join(scratch, 'missing.crt')} (ENOENT)`,
    ])
    expect(problemsOf({ TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'not a certificate' })).toEqual([
      'TEMPORAL_TLS_SERVER_CA_CERT_DATA: is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)',
    ])
    expect(problemsOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: certPath })).toContain(
      'TEMPORAL_TLS_CLIENT_KEY_PATH: is not a PEM key (expected -----BEGIN PRIVATE KEY-----)',
    )
    expect(problemsOf({ TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath, TEMPORAL_TLS_CLIENT_KEY_DATA: keyPem })).toContain(
      'TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_CLIENT_KEY_DATA: set one or the other',
    )
  })

  it('refuse TLS settings with TEMPORAL_TLS=false', () => {
    expect(problemsOf({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' })).toEqual([
      'TEMPORAL_TLS: is false, but TEMPORAL_TLS_* settings are set (remove them, or unset TEMPORAL_TLS)',
    ])
  })

  it('say what Temporal Cloud needs: credentials and the Cloud namespace', () => {
    expect(problemsOf({ TEMPORAL_ADDRESS: 'shop.a1b2c.tmprl.cloud:7233' })).toEqual([
      'TEMPORAL_ADDRESS: Temporal Cloud needs TEMPORAL_API_KEY, or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, or their _DATA forms)',
      'TEMPORAL_NAMESPACE: set the Cloud namespace, as <namespace>.<account-id>',
    ])
  })

  it('read PEM whose line breaks the environment carried as \\n', () => {
    const { temporal } = loadConfig({
      DATA_DIR: tmpdir(),
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: certPem.replaceAll('\n', '\\n'),
    })
    expect(temporal.tls?.serverCaCertificate?.toString()).toBe(certPem)
  })
})

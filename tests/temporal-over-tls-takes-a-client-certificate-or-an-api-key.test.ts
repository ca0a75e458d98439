import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ConfigError, loadConfig } from '../config.js'
import { type TemporalEndpoint, connectTemporal } from '../temporal/client.js'
import { connectWorkerToTemporal } from '../temporal/worker-connection.js'
import { createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import { connectServices, testPayloadKeysSetting } from './support/services.js'
import { type TestCertificates, type TlsProxy, makeTestCertificates, serverName, startTlsProxy } from './support/tls-proxy.js'

let certificates: TestCertificates

/** The endpoint the config module makes of these variables, as every process of the engine does. */
function endpointFrom(env: Record<string, string>): TemporalEndpoint {
  const { temporal } = loadConfig({ DATA_DIR: tmpdir(), TEMPORAL_PAYLOAD_KEYS: testPayloadKeysSetting, ...env })
  if (!temporal.address) throw new Error('TEMPORAL_ADDRESS missing')
  return { ...temporal, address: temporal.address }
}

/** Connects the client and the worker's native connection, closes them, and says what each got. */
async function connectBoth(endpoint: TemporalEndpoint): Promise<{ client: string; worker: string }> {
  const outcome = async (connect: () => Promise<{ close(): Promise<void> }>) => {
    try {
      await (await connect()).close()
      return 'connected'
    } catch (error) {
      return `refused: ${messages(error).join(': ')}`
    }
  }
  const [client, worker] = await Promise.all([
    outcome(async () => (await connectTemporal(endpoint)).connection),
    outcome(() => connectWorkerToTemporal(endpoint)),
  ])
  return { client, worker }
}

function messages(error: unknown): string[] {
  if (!(error instanceof Error)) return [String(error)]
  return [error.message, ...(error.cause ? messages(error.cause) : [])]
}

/** Runs a card order to CONFIRMED with the client and the worker both connected through `endpoint`. */
async function runOrderThrough(endpoint: TemporalEndpoint): Promise<string> {
  const services = await connectServices({ temporal: endpoint })
  try {
    await services.startWorker()
    const [sku] = await createProducts(services.db, [{ onHand: 3 }])
    const { handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
    })
    return (await waitForOrder(handle, (order) => order.status === 'CONFIRMED')).status
  } finally {
    await services.close()
  }
}

beforeAll(() => {
  certificates = makeTestCertificates()
})

describe('a Temporal behind TLS that asks for a client certificate', () => {
  let proxy: TlsProxy
  let trust: Record<string, string>
  beforeAll(async () => {
    proxy = await startTlsProxy({ upstream: inject('temporalAddress'), certificates, requireClientCertificate: true })
    trust = {
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificates.caCertPath,
      TEMPORAL_TLS_SERVER_NAME: serverName,
    }
  })
  afterAll(() => proxy?.stop())

  it('runs an order with the certificate and key given by path, client and worker alike', async () => {
    const endpoint = endpointFrom({
      ...trust,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.clientCertPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.clientKeyPath,
    })
    expect(await runOrderThrough(endpoint)).toBe('CONFIRMED')
    expect(proxy.counts.forwarded).toBeGreaterThan(0)
    console.log(`mTLS: ${proxy.counts.forwarded} calls forwarded`)
  })

  it('connects with the certificate and key as PEM in the environment', async () => {
    const endpoint = endpointFrom({
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: readFileSync(certificates.caCertPath, 'utf8'),
      TEMPORAL_TLS_SERVER_NAME: serverName,
      TEMPORAL_TLS_CLIENT_CERT_DATA: readFileSync(certificates.clientCertPath, 'utf8'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: readFileSync(certificates.clientKeyPath, 'utf8'),
    })
    expect(await connectBoth(endpoint)).toEqual({ client: 'connected', worker: 'connected' })
  })

  it('refuses a client with no certificate, or one another CA signed', async () => {
    const before = proxy.counts.refusedHandshakes
    const [without, stranger] = await Promise.all([
      connectBoth(endpointFrom(trust)),
      connectBoth(
        endpointFrom({
          ...trust,
          TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.strangerCertPath,
          TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.strangerKeyPath,
        }),
      ),
    ])
    console.log('without a certificate:', without, '\nwith a stranger certificate:', stranger)
    for (const outcome of [without.client, without.worker, stranger.client, stranger.worker]) {
      expect(outcome).toMatch(/^refused: /)
    }
    expect(proxy.counts.refusedHandshakes).toBeGreaterThan(before)
  })

  it('is not reached when the server name is not the certificate’s', async () => {
    const endpoint = endpointFrom({
      ...trust,
      TEMPORAL_TLS_SERVER_NAME: 'someone-else.test',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.clientCertPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.clientKeyPath,
    })
    const outcome = await connectBoth(endpoint)
    expect(outcome.client).toMatch(/^refused: /)
    expect(outcome.worker).toMatch(/^refused: /)
  })

  it('stops at the config when the key is not the certificate’s', () => {
    expect(() =>
      endpointFrom({
        ...trust,
        TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.clientCertPath,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.strangerKeyPath,
      }),
    ).toThrow(new ConfigError(['TEMPORAL_TLS_CLIENT_KEY_PATH: the client key is not the private key of the client certificate']))
  })
})

describe('a Temporal behind TLS that asks for an API key', () => {
  const apiKey = 'test-api-key-4f9a2c'
  let proxy: TlsProxy
  let trust: Record<string, string>
  beforeAll(async () => {
    proxy = await startTlsProxy({ upstream: inject('temporalAddress'), certificates, apiKey })
    trust = {
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificates.caCertPath,
      TEMPORAL_TLS_SERVER_NAME: serverName,
    }
  })
  afterAll(() => proxy?.stop())

  it('runs an order with TEMPORAL_API_KEY, client and worker alike', async () => {
    expect(await runOrderThrough(endpointFrom({ ...trust, TEMPORAL_API_KEY: apiKey }))).toBe('CONFIRMED')
    expect(proxy.counts.forwarded).toBeGreaterThan(0)
    console.log(`API key: ${proxy.counts.forwarded} calls forwarded, ${proxy.counts.refusedCalls} refused`)
  })

  it('refuses a client without the key, or with another', async () => {
    const [without, wrong] = await Promise.all([
      connectBoth(endpointFrom(trust)),
      connectBoth(endpointFrom({ ...trust, TEMPORAL_API_KEY: 'not-the-key' })),
    ])
    console.log('without the key:', without, '\nwith another key:', wrong)
    for (const outcome of [without.client, without.worker, wrong.client, wrong.worker]) {
      expect(outcome).toMatch(/^refused: .*(missing or wrong API key)/s)
    }
    expect(proxy.counts.refusedCalls).toBeGreaterThanOrEqual(4)
  })
})

/**
 * A Temporal frontend over TLS on loopback, as a cluster or Temporal Cloud presents one: a small TLS-terminating
 * HTTP/2 proxy in front of the run's plaintext dev server, asking for a client certificate (mTLS) or an API key
 * (`authorization: Bearer <key>`), and certificates for it made with the `openssl` CLI.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** PEM files in a scratch directory: a CA, a server certificate it signed, and client certificates. */
export interface TestCertificates {
  dir: string
  caCertPath: string
  serverCertPath: string
  serverKeyPath: string
  /** Signed by the CA: the proxy accepts it. */
  clientCertPath: string
  clientKeyPath: string
  /** Signed by another CA: the proxy refuses it. */
  strangerCertPath: string
  strangerKeyPath: string
}

/** The name on the server's certificate: not the address's host, so a client must be told it. */
export const serverName = 'temporal.test'

/** Makes the CA, the server's certificate for {@link serverName}, and client certificates (P-256, a day long). */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'order-engine-tls-'))
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const key = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`)
  const ca = (name: string) => {
    key(name)
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '1',
      '-out',
      `${name}.crt`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    )
  }
  const leaf = (name: string, signer: string, extensions: string) => {
    key(name)
    openssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`)
    writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n${extensions}\n`)
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${signer}.crt`,
      '-CAkey',
      `${signer}.key`,
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    )
  }
  ca('test-ca')
  ca('stranger-ca')
  leaf('server', 'test-ca', `extendedKeyUsage=serverAuth\nsubjectAltName=DNS:${serverName}`)
  leaf('client', 'test-ca', 'extendedKeyUsage=clientAuth')
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth')
  const at = (file: string) => join(dir, file)
  return {
    dir,
    caCertPath: at('test-ca.crt'),
    serverCertPath: at('server.crt'),
    serverKeyPath: at('server.key'),
    clientCertPath: at('client.crt'),
    clientKeyPath: at('client.key'),
    strangerCertPath: at('stranger.crt'),
    strangerKeyPath: at('stranger.key'),
  }
}

export interface TlsProxyOptions {
  /** The plaintext Temporal frontend, `host:port`. */
  upstream: string
  certificates: TestCertificates
  /** mTLS: refuse the handshake of a client with no certificate signed by the test CA. */
  requireClientCertificate?: boolean
  /** Refuse every call without `authorization: Bearer <apiKey>` (gRPC status 16, UNAUTHENTICATED). */
  apiKey?: string
}

export interface TlsProxy {
  /** `127.0.0.1:<port>`. */
  address: string
  /** Calls forwarded to Temporal, and calls or handshakes refused. */
  counts: { forwarded: number; refusedCalls: number; refusedHandshakes: number }
  stop(): Promise<void>
}

const grpcUnauthenticated = 16

/** Starts the proxy on a free loopback port. Each call becomes one stream to the upstream, trailers included. */
export async function startTlsProxy(options: TlsProxyOptions): Promise<TlsProxy> {
  const { certificates } = options
  const upstream = http2.connect(`http://${options.upstream}`)
  upstream.on('error', () => undefined)
  const counts = { forwarded: 0, refusedCalls: 0, refusedHandshakes: 0 }
  const server = http2.createSecureServer({
    key: readFileSync(certificates.serverKeyPath),
    cert: readFileSync(certificates.serverCertPath),
    ca: readFileSync(certificates.caCertPath),
    requestCert: options.requireClientCertificate ?? false,
    rejectUnauthorized: options.requireClientCertificate ?? false,
  })
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
  })
  server.on('tlsClientError', () => {
    counts.refusedHandshakes += 1
  })
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined)
    if (options.apiKey !== undefined && headers['authorization'] !== `Bearer ${options.apiKey}`) {
      counts.refusedCalls += 1
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': String(grpcUnauthenticated),
          'grpc-message': 'missing or wrong API key',
        },
        { endStream: true },
      )
      return
    }
    counts.forwarded += 1
    const forwarded: http2.OutgoingHttpHeaders = {}
    for (const [name, value] of Object.entries(headers)) {
      if (name !== ':scheme' && name !== ':authority' && value !== undefined) forwarded[name] = value
    }
    const call = upstream.request(forwarded)
    call.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR))
    let trailers: http2.OutgoingHttpHeaders = {}
    call.on('response', (responseHeaders, flags) => {
      if (stream.closed) return
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0
      stream.respond(withoutPseudo(responseHeaders, ':status'), endStream ? { endStream: true } : { waitForTrailers: true })
    })
    call.on('trailers', (received) => {
      trailers = withoutPseudo(received)
    })
    stream.on('wantTrailers', () => stream.sendTrailers(trailers))
    stream.on('close', () => {
      if (!call.closed) call.close(http2.constants.NGHTTP2_CANCEL)
    })
    stream.pipe(call)
    call.pipe(stream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    address: `127.0.0.1:${port}`,
    counts,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Open sessions (a worker's long polls) would hold close() forever.
        for (const session of sessions) session.destroy()
      })
      upstream.destroy()
    },
  }
}

function withoutPseudo(headers: http2.IncomingHttpHeaders, keep?: string): http2.OutgoingHttpHeaders {
  const result: http2.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && (!name.startsWith(':') || name === keep)) result[name] = value
  }
  return result
}

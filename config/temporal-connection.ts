/**
 * How the engine's processes authenticate to Temporal: TLS (the server's CA and name), mTLS (a client certificate
 * and key, each from a file or as PEM in the environment) and an API key, read and checked at start so a missing
 * or mismatched piece stops the process with its name instead of failing at the first call. The variable names are
 * Temporal's own (those the `temporal` CLI and the SDKs' environment configuration read).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** TLS towards Temporal. Every field `null` means TLS with the system's CAs and the address's host name. */
export interface TemporalTlsSettings {
  /** PEM: the CA that signed the server's certificate (a private cluster); `null` trusts the system's CAs. */
  serverCaCertificate: Buffer | null
  /** The name the server's certificate must carry, when it is not the address's host. */
  serverName: string | null
  /** mTLS: the certificate and key this process presents (Temporal Cloud's certificate auth). */
  clientCertificate: { crt: Buffer; key: Buffer } | null
}

/** What {@link temporalConnectionSettings} reads from the environment. */
export interface TemporalConnectionEnv {
  TEMPORAL_ADDRESS?: string | undefined
  TEMPORAL_NAMESPACE: string
  TEMPORAL_API_KEY?: string | undefined
  TEMPORAL_TLS?: boolean | undefined
  TEMPORAL_TLS_SERVER_NAME?: string | undefined
  TEMPORAL_TLS_SERVER_CA_CERT_PATH?: string | undefined
  TEMPORAL_TLS_SERVER_CA_CERT_DATA?: string | undefined
  TEMPORAL_TLS_CLIENT_CERT_PATH?: string | undefined
  TEMPORAL_TLS_CLIENT_CERT_DATA?: string | undefined
  TEMPORAL_TLS_CLIENT_KEY_PATH?: string | undefined
  TEMPORAL_TLS_CLIENT_KEY_DATA?: string | undefined
}

/** Temporal Cloud's endpoints: `<namespace>.<account>.tmprl.cloud` (mTLS) and `<region>.<cloud>.api.temporal.io` (API key). */
const temporalCloudHost = /\.(tmprl\.cloud|api\.temporal\.io)(:\d+)?$/

/**
 * Reads the TLS and API-key settings, pushing one line per problem onto `problems` (a certificate without its key,
 * a file that cannot be read, text that is not PEM, a key that does not match its certificate, TLS settings with
 * `TEMPORAL_TLS=false`, Temporal Cloud without credentials). TLS is on when any TLS setting or the API key is set,
 * or with `TEMPORAL_TLS=true`; off otherwise, or with `TEMPORAL_TLS=false`.
 */
export function temporalConnectionSettings(
  env: TemporalConnectionEnv,
  problems: string[],
): { tls: TemporalTlsSettings | null; apiKey: string | null } {
  const pem = (name: 'SERVER_CA_CERT' | 'CLIENT_CERT' | 'CLIENT_KEY', kind: 'certificate' | 'key') =>
    pemSetting(env, name, kind, problems)
  const serverCa = pem('SERVER_CA_CERT', 'certificate')
  const clientCert = pem('CLIENT_CERT', 'certificate')
  const clientKey = pem('CLIENT_KEY', 'key')
  const serverName = env.TEMPORAL_TLS_SERVER_NAME ?? null
  const apiKey = env.TEMPORAL_API_KEY ?? null

  if (clientCert && clientKey === null) {
    problems.push(
      'TEMPORAL_TLS_CLIENT_KEY_PATH: the client certificate needs its private key (set TEMPORAL_TLS_CLIENT_KEY_PATH or TEMPORAL_TLS_CLIENT_KEY_DATA)',
    )
  }
  if (clientKey && clientCert === null) {
    problems.push(
      'TEMPORAL_TLS_CLIENT_CERT_PATH: the client key needs its certificate (set TEMPORAL_TLS_CLIENT_CERT_PATH or TEMPORAL_TLS_CLIENT_CERT_DATA)',
    )
  }
  if (clientCert && clientKey && !keyMatchesCertificate(clientCert, clientKey)) {
    problems.push('TEMPORAL_TLS_CLIENT_KEY_PATH: the client key is not the private key of the client certificate')
  }

  const anyTlsSetting = Boolean(serverCa || clientCert || clientKey || serverName)
  if (env.TEMPORAL_TLS === false && anyTlsSetting) {
    problems.push('TEMPORAL_TLS: is false, but TEMPORAL_TLS_* settings are set (remove them, or unset TEMPORAL_TLS)')
  }
  if (env.TEMPORAL_ADDRESS && temporalCloudHost.test(env.TEMPORAL_ADDRESS)) {
    if (!apiKey && !clientCert) {
      problems.push(
        'TEMPORAL_ADDRESS: Temporal Cloud needs TEMPORAL_API_KEY, or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, or their _DATA forms)',
      )
    }
    if (env.TEMPORAL_TLS === false) problems.push('TEMPORAL_TLS: Temporal Cloud is reached over TLS only')
    if (env.TEMPORAL_NAMESPACE === 'default') {
      problems.push('TEMPORAL_NAMESPACE: set the Cloud namespace, as <namespace>.<account-id>')
    }
  }

  const tlsOn = env.TEMPORAL_TLS ?? (anyTlsSetting || apiKey !== null)
  const tls = tlsOn
    ? {
        serverCaCertificate: serverCa ?? null,
        serverName,
        clientCertificate: clientCert && clientKey ? { crt: clientCert, key: clientKey } : null,
      }
    : null
  return { tls, apiKey }
}

/**
 * One PEM setting, from `TEMPORAL_TLS_<name>_PATH` or `_DATA`: the bytes, `null` when neither is set, `undefined`
 * when it is set but unusable (the problem is already pushed).
 */
function pemSetting(
  env: TemporalConnectionEnv,
  name: 'SERVER_CA_CERT' | 'CLIENT_CERT' | 'CLIENT_KEY',
  kind: 'certificate' | 'key',
  problems: string[],
): Buffer | null | undefined {
  const pathVar = `TEMPORAL_TLS_${name}_PATH` as const
  const dataVar = `TEMPORAL_TLS_${name}_DATA` as const
  const path = env[pathVar]
  const data = env[dataVar]
  if (path && data) {
    problems.push(`${pathVar}, ${dataVar}: set one or the other`)
    return undefined
  }
  let text: string
  let source: string
  if (path) {
    source = pathVar
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
      problems.push(`${pathVar}: cannot read ${path} (${code})`)
      return undefined
    }
  } else if (data) {
    source = dataVar
    // Environments that cannot hold line breaks carry them as the two characters \n.
    text = data.includes('-----BEGIN') && !data.includes('\n') ? data.replaceAll('\\n', '\n') : data
  } else {
    return null
  }
  const marker = kind === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/
  if (!marker.test(text)) {
    problems.push(
      `${source}: is not a PEM ${kind} (expected ${kind === 'certificate' ? '-----BEGIN CERTIFICATE-----' : '-----BEGIN PRIVATE KEY-----'})`,
    )
    return undefined
  }
  return Buffer.from(text)
}

function keyMatchesCertificate(crt: Buffer, key: Buffer): boolean {
  try {
    return new X509Certificate(crt).checkPrivateKey(createPrivateKey(key))
  } catch {
    return false
  }
}

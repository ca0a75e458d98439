/**
 * `npm run token -- --role admin` or `npm run token -- --role customer --sub cust_42`:
 * prints an access token signed with the secret this environment gives the
 * API (JWT_SECRET, or the generated one in `DATA_DIR`), for JWT_ISSUER and
 * JWT_AUDIENCE. With JWKS_URL set the API only accepts the identity
 * provider's tokens, so this refuses to print one.
 *
 * The secret of this shell may not be the running stack's (JWT_SECRET set
 * only for `npm start`, another DATA_DIR), so the token is first shown to the
 * API (`--api`, PUBLIC_URL by default): if the API refuses its signature,
 * this says why and prints no token. When no API answers, the token is
 * printed with a note that it was not checked. `--no-check` skips the check.
 */
import { parseArgs } from 'node:util'
import { badSignatureDetail } from '../api/access-tokens.js'
import { signAccessToken } from '../api/auth.js'
import { ConfigError, loadConfig } from '../config.js'

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'customer' },
    sub: { type: 'string' },
    'expires-in': { type: 'string', default: '86400' },
    api: { type: 'string' },
    'no-check': { type: 'boolean', default: false },
  },
})
const role = values.role
if (role !== 'customer' && role !== 'admin') {
  console.error('--role must be customer or admin')
  process.exit(2)
}
const expiresIn = Number(values['expires-in'])
if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
  console.error('--expires-in must be a whole number of seconds')
  process.exit(2)
}
const subject = values.sub ?? (role === 'admin' ? 'admin_cli' : 'cust_demo')
let config
try {
  config = loadConfig()
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(2)
}
const { auth } = config
if (auth.jwksUrl) {
  console.error(`JWKS_URL is set: the API accepts only tokens of that identity provider (${auth.jwksUrl})`)
  process.exit(2)
}
const token = await signAccessToken(auth.jwtSecret, { subject, role, expiresIn, issuer: auth.issuer, audience: auth.audience })
if (values['no-check']) {
  console.log(token)
  process.exit(0)
}

/** Shows the token to the API: what it said, or null when no API answered. */
async function askApi(apiUrl: string): Promise<{ status: number; detail: string } | null> {
  try {
    const response = await fetch(new URL('/v1/orders?limit=1', apiUrl), {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    })
    const body = (await response.json().catch(() => ({}))) as { detail?: unknown }
    return { status: response.status, detail: typeof body.detail === 'string' ? body.detail : '' }
  } catch {
    return null
  }
}

const apiUrl = values.api ?? config.api.publicUrl
const answer = await askApi(apiUrl)
if (answer?.status === 401 && answer.detail === badSignatureDetail) {
  const source = auth.jwtSecretSource === 'JWT_SECRET' ? 'JWT_SECRET from this environment' : auth.jwtSecretSource
  console.error(
    [
      `The API at ${apiUrl} uses another JWT secret than this shell: it refuses tokens signed with ${source}.`,
      auth.jwtSecretSource === 'JWT_SECRET'
        ? '  Set JWT_SECRET here to the value the API was started with (or unset it if the API runs without one).'
        : '  If the API was started with JWT_SECRET, set the same JWT_SECRET here;' +
          ` otherwise run this with the DATA_DIR the API uses (this one reads ${auth.jwtSecretSource}).`,
      '  No token printed. (--api <url> checks against another API; --no-check prints the token unchecked.)',
    ].join('\n'),
  )
  process.exit(1)
}
if (answer?.status === 401) {
  console.error(
    `The API at ${apiUrl} refuses this token: ${answer.detail} (check JWT_ISSUER and JWT_AUDIENCE). No token printed.`,
  )
  process.exit(1)
}
if (answer === null || answer.status >= 500) {
  console.error(
    `note: not checked against an API (${answer === null ? `none answered at ${apiUrl}` : `${apiUrl} answered ${answer.status}`});` +
      ` signed with ${auth.jwtSecretSource === 'JWT_SECRET' ? 'JWT_SECRET' : auth.jwtSecretSource}`,
  )
}
console.log(token)

/**
 * `npm run token -- --role admin` or `npm run token -- --role customer --sub cust_42`:
 * prints an access token signed with the secret the API uses (JWT_SECRET, or
 * the generated one in `.data/`), for JWT_ISSUER and JWT_AUDIENCE. With
 * JWKS_URL set the API only accepts the identity provider's tokens, so this
 * refuses to print one.
 */
import { parseArgs } from 'node:util'
import { signAccessToken } from '../api/auth.js'
import { loadConfig } from '../config.js'

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'customer' },
    sub: { type: 'string' },
    'expires-in': { type: 'string', default: '86400' },
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
const { auth } = loadConfig()
if (auth.jwksUrl) {
  console.error(`JWKS_URL is set: the API accepts only tokens of that identity provider (${auth.jwksUrl})`)
  process.exit(2)
}
console.log(await signAccessToken(auth.jwtSecret, { subject, role, expiresIn, issuer: auth.issuer, audience: auth.audience }))

/**
 * `npm run token -- --role admin` or `npm run token -- --role customer --sub cust_42`:
 * prints an access token signed with the secret the API uses (JWT_SECRET, or
 * the generated one in `.data/`).
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
console.log(await signAccessToken(loadConfig().auth.jwtSecret, { subject, role, expiresIn }))

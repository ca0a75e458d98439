/**
 * `npm run fuzz:api`: runs schemathesis (PyPI) with its default checks
 * against the served OpenAPI document of a running API (`npm start` in
 * another terminal). schemathesis is installed into `.tools/schemathesis`
 * on first use. Extra arguments go to `st run`, e.g. `-- --max-examples 50`.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { signAccessToken } from '../api/auth.js'
import { loadConfig, projectRoot } from '../config.js'
import { pipInstall } from './pip-install.js'

const SCHEMATHESIS = 'schemathesis==4.*'
const config = loadConfig()
const target = join(projectRoot, '.tools', 'schemathesis')
const st = join(target, 'bin', 'st')

const health = await fetch(`${config.api.publicUrl}/health`).catch(() => null)
if (!health?.ok) {
  console.error(`No API answers at ${config.api.publicUrl}: start it with npm start first.`)
  process.exit(1)
}
if (!existsSync(st)) {
  console.log(`installing ${SCHEMATHESIS} into ${target}`)
  if (!pipInstall(SCHEMATHESIS, target)) process.exit(1)
}
const token = await signAccessToken(config.auth.jwtSecret, { subject: 'cust_fuzz', role: 'customer' })
const run = spawnSync(
  st,
  ['run', `${config.api.publicUrl}/openapi.json`, '--header', `Authorization: Bearer ${token}`, ...process.argv.slice(2)],
  // eslint-disable-next-line no-restricted-syntax -- the child inherits the environment; only PYTHONPATH is added
  { stdio: 'inherit', env: { ...process.env, PYTHONPATH: target } },
)
process.exit(run.status ?? 1)
